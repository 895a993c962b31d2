"""Alerts at scale: when a program is published or its rules change, the registered firms that
newly qualify (eligible under the new rule, not under the old one) are told once each — in the
app and, through the outbox, by email.

The job walks the firms by id in batches. Each batch is one transaction: its notifications, its
`program_alerts` rows and the run's checkpoint (`last_firm_id`) commit together or not at all.
Killed at any point (SIGKILL included), a re-run of the same change resumes after the last
committed batch, and the unique (run, firm) key refuses a second alert for a firm already told.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import func, select

from onestop.accounts.tables import MembershipRow
from onestop.alerts import outbox
from onestop.firms.tables import FirmRow
from onestop.platform.db import Database, utcnow
from onestop.registry.columns import facts_of
from onestop.registry.tables import ProgramAlertRow, ProgramAlertRunRow
from onestop.rules.syntax import Rule
from onestop.rules.vectorize import VectorRules

BATCH = 2_000
KIND = "program_qualifies"


def change_key(program_id: str, before: Rule | None, after: Rule, on: date) -> str:
    text = f"{program_id}\n{before!r}\n{after!r}\n{on.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class AlertRun:
    run_id: int
    firms_seen: int
    notified: int
    finished: bool


def newly_qualifying(profiles: list[tuple[int, Any]], after: Rule, before: Rule | None, on: date) -> list[int]:
    """Firm ids (of `profiles`: (firm id, stored profile)) eligible under `after` and not under
    `before` (None: the program is new, nobody qualified before)."""
    facts = facts_of(profiles, on).frame
    if not facts.height:
        return []
    rules, names = [after], ["after"]
    if before is not None:
        rules.append(before)
        names.append("before")
    result = VectorRules(rules, names).evaluate(facts, keep=["row"])
    new = pl.col("after").fill_null(False)
    if before is not None:
        new = new & ~pl.col("before").fill_null(False)
    return [int(x) for x in result.filter(new).get_column("row").to_list()]


def alert_new_qualifiers(database: Database, program: Any, before: Rule | None, on: date, batch: int = BATCH,
                         progress: Callable[[int, int], None] | None = None,
                         before_commit: Callable[[int], None] | None = None) -> AlertRun:
    """Tell the owners of every registered firm that newly qualifies for `program` on `on`.

    `progress(firms seen, firms in all)` after each batch; `before_commit(batch number)` just
    before a batch commits (a test holds the job there to kill it)."""
    key = change_key(program.id, before, program.rule, on)
    with database.unit_of_work() as s:
        run = s.scalar(select(ProgramAlertRunRow).where(ProgramAlertRunRow.program_id == program.id,
                                                        ProgramAlertRunRow.change_key == key))
        if run is None:
            run = ProgramAlertRunRow(program_id=program.id, change_key=key, on=on, last_firm_id=0, firms_seen=0,
                                     notified=0)
            s.add(run)
            s.flush()
        run_id = run.id
        total = int(s.scalar(select(func.count(FirmRow.id))) or 0)
        if run.finished_at is not None:
            return AlertRun(run_id, run.firms_seen, run.notified, True)
    number = 0
    while True:
        number += 1
        with database.unit_of_work() as s:
            run = s.get_one(ProgramAlertRunRow, run_id, with_for_update=True)
            firms = s.execute(select(FirmRow.id, FirmRow.name, FirmRow.profile).where(FirmRow.id > run.last_firm_id)
                              .order_by(FirmRow.id).limit(batch)).all()
            if not firms:
                run.finished_at = utcnow()
                return AlertRun(run_id, run.firms_seen, run.notified, True)
            new = newly_qualifying([(fid, profile) for fid, _, profile in firms], program.rule, before, on)
            told = set(s.scalars(select(ProgramAlertRow.firm_id).where(ProgramAlertRow.run_id == run_id,
                                                                       ProgramAlertRow.firm_id.in_(new))))
            names = {fid: name for fid, name, _ in firms}
            owners: dict[int, list[int]] = {}
            for fid, uid in s.execute(select(MembershipRow.firm_id, MembershipRow.user_id)
                                      .where(MembershipRow.firm_id.in_(new), MembershipRow.role == "owner")):
                owners.setdefault(fid, []).append(uid)
            name_ko, name_en = program.spec.name.ko, program.spec.name.en
            for fid in new:
                if fid in told:
                    continue
                s.add(ProgramAlertRow(run_id=run_id, firm_id=fid))
                outbox.notify(s, sorted(owners.get(fid, [])), KIND,
                              f"{names[fid]}: '{name_ko}' 사업의 신청 자격을 새로 충족합니다.",
                              f"{names[fid]}: now eligible for '{name_en}'.",
                              link=f"/programs/{program.id}", data={"program": program.id, "firm_id": fid})
                run.notified += 1
            run.last_firm_id = firms[-1][0]
            run.firms_seen += len(firms)
            seen = run.firms_seen
            s.flush()
            if before_commit:
                before_commit(number)
        if progress:
            progress(seen, total)
