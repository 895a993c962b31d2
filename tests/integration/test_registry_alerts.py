"""Alerts at scale: the registered firms that newly qualify for a program are told exactly once,
even when the job is SIGKILLed in the middle of a batch and run again (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from onestop.accounts.tables import MembershipRow
from onestop.alerts.tables import NotificationRow
from onestop.catalog.loader import shipped_catalog
from onestop.firms.facts import derive
from onestop.firms.model import parse_firm
from onestop.firms.tables import FirmRow
from onestop.platform.db import Database
from onestop.registry.alerts import KIND, alert_new_qualifiers, change_key
from onestop.registry.tables import ProgramAlertRow, ProgramAlertRunRow
from onestop.rules.evaluate import MET, evaluate_rule
from onestop.rules.syntax import All, Leaf

ON = date(2026, 11, 23)
ONESTOP = str(Path(sys.executable).parent / "onestop")


def _eligible(db: Database, rule: object) -> set[int]:
    with db.unit_of_work() as s:
        rows = s.execute(select(FirmRow.id, FirmRow.profile)).all()
    return {fid for fid, p in rows if evaluate_rule(rule, derive(parse_firm(p), ON)) == MET}  # type: ignore[arg-type]


def _owners(db: Database, firms: set[int]) -> int:
    with db.unit_of_work() as s:
        return len(s.execute(select(MembershipRow.id).where(MembershipRow.firm_id.in_(firms),
                                                            MembershipRow.role == "owner")).all())


def test_a_killed_alert_job_resumes_and_tells_each_new_firm_once(database_url: str) -> None:
    program = shipped_catalog().programs["fki-business-mentoring"]
    env = {**os.environ, "ONESTOP_ALERTS_HOLD_AT": "3"}
    args = [ONESTOP, "registry", "alert", program.id, "--date", ON.isoformat(), "--batch", "7",
            "--database-url", database_url]
    job = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    assert job.stdout is not None
    line = job.stdout.readline()  # blocks until the job holds before committing batch 3
    assert line.strip() == "HOLD 3", line + (job.stderr.read() if job.stderr else "")
    job.send_signal(signal.SIGKILL)
    job.wait()
    db = Database(database_url)
    key = change_key(program.id, None, program.rule, ON)
    with db.unit_of_work() as s:
        run = s.scalar(select(ProgramAlertRunRow).where(ProgramAlertRunRow.change_key == key))
        assert run is not None and run.finished_at is None and run.firms_seen == 14  # two batches committed
        told_before = s.scalar(select(func.count()).select_from(ProgramAlertRow).where(ProgramAlertRow.run_id == run.id))
        assert told_before == run.notified
    # run again (in process, as the command does): it resumes after the last committed batch
    resumed = alert_new_qualifiers(db, program, None, ON, batch=7)
    assert resumed.finished and resumed.run_id == run.id
    expected = _eligible(db, program.rule)
    with db.unit_of_work() as s:
        run = s.scalar(select(ProgramAlertRunRow).where(ProgramAlertRunRow.change_key == key))
        assert run is not None and run.finished_at is not None
        told = s.scalars(select(ProgramAlertRow.firm_id).where(ProgramAlertRow.run_id == run.id)).all()
        notes = s.scalars(select(NotificationRow).where(NotificationRow.kind == KIND)).all()
    assert sorted(told) == sorted(expected) and len(expected) > 20
    mine = [n for n in notes if n.data.get("program") == program.id]
    assert len(mine) == _owners(db, expected) > 0  # one notification per owner of each new firm
    assert len({(n.user_id, n.data["firm_id"]) for n in mine}) == len(mine)
    assert all("비즈니스 멘토링" in n.title_ko and "now eligible" in n.title_en for n in mine)
    # the same change run again: finished, nobody told twice
    again = alert_new_qualifiers(db, program, None, ON, batch=7)
    assert again.finished and again.notified == len(expected)
    with db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(ProgramAlertRow).where(ProgramAlertRow.run_id == run.id)) \
            == len(expected)
    db.dispose()


def test_a_rule_change_tells_only_firms_that_did_not_qualify_before(database_url: str) -> None:
    program = shipped_catalog().programs["fki-business-mentoring"]
    seoul = Leaf("sido", "in", ("11",))
    before = All((program.rule, seoul))  # the old version: SMEs in Seoul only
    db = Database(database_url)
    result = alert_new_qualifiers(db, program, before, ON, batch=25)
    expected = _eligible(db, program.rule) - _eligible(db, before)
    with db.unit_of_work() as s:
        told = set(s.scalars(select(ProgramAlertRow.firm_id).where(ProgramAlertRow.run_id == result.run_id)))
        profiles = {fid: p for fid, p in s.execute(select(FirmRow.id, FirmRow.profile)).all()}
    assert told == expected and result.notified == len(expected) and result.finished
    assert expected and all(profiles[f]["region"][:2] != "11" for f in told)
    db.dispose()
