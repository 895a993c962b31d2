"""Jobs end to end on SQLite and PostgreSQL: a 50-year-old seeker in 순천 with consent, postings
by a firm member and imported in the 고용24 layout, explained matching both ways, visibility
(two firms side by side), download and deletion; the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from onestop.accounts import services as accounts
from onestop.accounts.model import Principal, Role
from onestop.cli import app as cli_app
from onestop.errors import DomainError
from onestop.jobs import services
from onestop.jobs.tables import JobConsentRow, JobPostingRow, JobSeekerRow
from onestop.platform.db import Database
from tests.conftest import EXAMPLES
from tests.integration.conftest import fresh_email
from tests.integration.funds_helpers import officer, principal

ON = date(2026, 11, 30)
SEEKER = json.loads((EXAMPLES / "seeker-50s-suncheon.json").read_text(encoding="utf-8"))
POSTING = {"title": "베이커리 생산관리 사무원", "occupation": "32121", "region": "12150", "employment_type": "permanent",
           "hours_per_week": 40, "pay_won": 2_700_000, "pay_unit": "month", "opens_on": "2026-11-20",
           "closes_on": "2026-12-31", "education_min": "high", "career_years": 5, "programs": ["new_middle_aged_job"],
           "description": "제과 생산라인의 생산계획과 품질관리를 맡을 분"}


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def new_seeker(s: Any, name: str = "정순천") -> Principal:
    user = accounts.create_account(s, email=fresh_email("seeker"), password="correct-horse-battery", name=name,
                                   role=Role.seeker, confirmed=True)
    return accounts.principal(s, user)


def firm_of(s: Any, email: str) -> tuple[Principal, int]:
    who = principal(s, email)
    return who, min(who.firms)


def test_profile_needs_the_privacy_notice_and_a_grown_up_birth_year(db: Database) -> None:
    with db.unit_of_work() as s:
        who = new_seeker(s)
        with pytest.raises(DomainError) as refused:
            services.save_profile(s, who, {**SEEKER, "birth_year": 2016, "sought": ["12345"]}, ON, consent_version=None)
        fields = {p.field for p in refused.value.problems}
        assert fields == {"consent", "birth_year", "sought.0"}
        assert any("근로기준법 제64조" in p.ko for p in refused.value.problems)
        assert s.scalar(select(JobSeekerRow).where(JobSeekerRow.user_id == who.user_id)) is None
        row = services.save_profile(s, who, SEEKER, ON, consent_version=services.CONSENT_VERSION, discoverable=True,
                                    ip="203.0.113.5")
        consents = s.scalars(select(JobConsentRow).where(JobConsentRow.user_id == who.user_id)).all()
        assert {(c.item, c.version, c.agreed, c.ip) for c in consents} == {
            ("seeker_privacy", "2026-11-30", True, "203.0.113.5"), ("discoverable", "2026-11-30", True, "203.0.113.5")}
        assert services.groups_of(services._seeker(row), ON) == {"middle_aged", "new_middle_aged"}
        firm_member, _ = firm_of(s, "founder@onestop.demo")
        with pytest.raises(DomainError):
            services.save_profile(s, firm_member, SEEKER, ON, consent_version=services.CONSENT_VERSION)


def test_posting_below_minimum_wage_or_closing_before_opening_is_refused_with_nothing_saved(db: Database) -> None:
    with db.unit_of_work() as s:
        who, firm_id = firm_of(s, "founder@onestop.demo")
        before = s.query(JobPostingRow).count()
        with pytest.raises(DomainError) as refused:
            services.create_posting(s, who, firm_id, {**POSTING, "pay_won": 2_000_000, "closes_on": "2026-11-01",
                                                      "occupation": "12345"})
        assert {p.field for p in refused.value.problems} == {"occupation", "closes_on", "pay_won"}
        with pytest.raises(DomainError) as low:
            services.create_posting(s, who, firm_id, {**POSTING, "pay_won": 2_000_000})
        assert low.value.field == "pay_won" and "2,156,880원" in low.value.ko and "2026년 적용 최저임금 고시" in low.value.ko
        assert s.query(JobPostingRow).count() == before
        other, _ = firm_of(s, "exporter@onestop.demo")
        with pytest.raises(DomainError) as hidden:
            services.create_posting(s, other, firm_id, POSTING)
        assert hidden.value.code == "not_found"


def test_seeker_sees_explained_matches_and_firms_see_only_who_applied_or_accepted(db: Database) -> None:
    with db.unit_of_work() as s:
        founder, bakery = firm_of(s, "founder@onestop.demo")
        exporter, machine = firm_of(s, "exporter@onestop.demo")
        near = services.create_posting(s, founder, bakery, POSTING)
        far = services.create_posting(s, exporter, machine, {**POSTING, "title": "정밀기계 생산관리", "region": "48123",
                                                              "programs": []})
        by_officer = services.create_posting(s, officer(s, "jnsbi"), bakery, {**POSTING, "title": "제과 품질관리 사무원",
                                                                               "occupation": "32122"})
        assert by_officer.agency_id == "jnsbi"
        seeker_who = new_seeker(s, "정순천")
        seeker = services.save_profile(s, seeker_who, SEEKER, ON, consent_version=services.CONSENT_VERSION)
        hidden_who = new_seeker(s, "비공개")
        services.save_profile(s, hidden_who, SEEKER, ON, consent_version=services.CONSENT_VERSION, discoverable=False)

        ranked = services.my_matches(s, seeker_who, ON, 50)
        ids = [r.match.posting_id for r in ranked]
        assert ids.index(near.id) < ids.index(far.id)
        first = next(r for r in ranked if r.match.posting_id == near.id)
        reasons = {p.key: p.ko for p in first.match.parts}
        assert reasons["occupation"] == "희망 직종과 일치 (세세분류): 32121 생산관리 사무원"
        assert reasons["region"] == "거주지와 같은 시군구: 순천시"
        assert "신중년 적합직무" in reasons["programs"]
        assert first.company == "순천바른빵 주식회사"
        far_reasons = {p.key: p.en for p in next(r for r in ranked if r.match.posting_id == far.id).match.parts}
        assert far_reasons["region"].startswith("Outside your commute: Suncheon-si")  # places in English

        # Nobody applied yet: the seeker has not allowed being found, so neither firm sees them at all.
        assert all(c.seeker_id != seeker.id for c in services.candidates(s, founder, near.id, ON))
        with pytest.raises(DomainError):
            services.seeker_for_firm(s, founder, seeker.id)
        services.apply(s, seeker_who, near.id, ON)
        seen = next(c for c in services.candidates(s, founder, near.id, ON) if c.seeker_id == seeker.id)
        assert seen.visible and seen.name == "정순천" and seen.profile is not None and seen.state == "applied"
        assert services.seeker_for_firm(s, founder, seeker.id)["region"] == "12150"
        # The other firm sees nothing of them: not in its candidates, its profile not found.
        with pytest.raises(DomainError) as not_yours:
            services.seeker_for_firm(s, exporter, seeker.id)
        assert not_yours.value.code == "not_found"
        assert all(c.seeker_id != seeker.id for c in services.candidates(s, exporter, far.id, ON))
        with pytest.raises(DomainError):
            services.candidates(s, exporter, near.id, ON)  # another firm's posting: not found


def test_invitation_reveals_the_seeker_only_once_accepted(db: Database) -> None:
    with db.unit_of_work() as s:
        exporter, machine = firm_of(s, "exporter@onestop.demo")
        posting = services.create_posting(s, exporter, machine, {**POSTING, "title": "생산관리 경력직", "region": "48123"})
        who = new_seeker(s, "공개구직")
        row = services.save_profile(s, who, {**SEEKER, "commute": "nationwide"}, ON,
                                    consent_version=services.CONSENT_VERSION, discoverable=True)
        listed = next(c for c in services.candidates(s, exporter, posting.id, ON) if c.seeker_id == row.id)
        assert not listed.visible and listed.name is None and listed.profile is None
        assert listed.label.startswith("후보 ")
        assert any("다른 시도" in p.ko for p in listed.match.parts)
        invitation = services.invite(s, exporter, posting.id, row.id, ON)
        with pytest.raises(DomainError):
            services.seeker_for_firm(s, exporter, row.id)
        services.answer_invitation(s, who, invitation.id, accept=True)
        assert services.seeker_for_firm(s, exporter, row.id)["sought"] == ["32122", "32121"]
        founder, _ = firm_of(s, "founder@onestop.demo")
        with pytest.raises(DomainError):
            services.seeker_for_firm(s, founder, row.id)


def test_seeker_downloads_and_deletes_their_data(db: Database) -> None:
    with db.unit_of_work() as s:
        founder, bakery = firm_of(s, "founder@onestop.demo")
        posting = services.create_posting(s, founder, bakery, POSTING)
        who = new_seeker(s)
        services.save_profile(s, who, SEEKER, ON, consent_version=services.CONSENT_VERSION)
        services.apply(s, who, posting.id, ON)
        data = services.export_my_data(s, who)
        assert data["profile"]["birth_year"] == 1976 and data["applications"][0]["state"] == "applied"
        assert [c["item"] for c in data["consents"]] == ["seeker_privacy", "discoverable"]
        json.dumps(data, ensure_ascii=False)
        assert services.delete_my_data(s, who) == 4
        after = services.export_my_data(s, who)
        assert after["profile"] is None and after["consents"] == [] and after["applications"] == []


def test_cli_imports_worknet_postings_and_matches_the_example_seeker(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"ONESTOP_DATABASE_URL": database_url}
    r = runner.invoke(cli_app, ["jobs", "import", str(EXAMPLES / "worknet-postings.json"), "--json"], env=env)
    assert r.exit_code == 0, r.output
    imported = json.loads(r.stdout)
    assert [i["wantedAuthNo"] for i in imported] == ["K151612611300001", "K151612611300002", "K151612611300003"]
    again = runner.invoke(cli_app, ["jobs", "import", str(EXAMPLES / "worknet-postings.json"), "--json"], env=env)
    assert [i["posting_id"] for i in json.loads(again.stdout)] == [i["posting_id"] for i in imported]
    r = runner.invoke(cli_app, ["jobs", "match", str(EXAMPLES / "seeker-50s-suncheon.json"), "--date", "2026-11-30",
                                "--limit", "50", "--json"], env=env)
    assert r.exit_code == 0, r.output
    ranked = json.loads(r.stdout)
    assert {"posting_id", "score", "reasons"} <= set(ranked[0])
    mine = {x["posting_id"]: x for x in ranked}
    quality, forklift, machine = (mine[i["posting_id"]] for i in imported)
    assert quality["score"] > machine["score"]
    assert any(p["ko"].startswith("통근 범위 안(같은 시도): 순천시 → 여수시") for p in forklift["reasons"])
    exported = runner.invoke(cli_app, ["jobs", "export", "--date", "2026-11-30"], env=env)
    records = {w["wantedAuthNo"]: w for w in json.loads(exported.stdout)["wantedRoot"]["wanted"]}
    assert records["K151612611300001"]["region"] == "전남 순천시"
    assert records["K151612611300001"]["busino"] == "415-81-25309" and records["K151612611300003"]["sal"] == "연봉 36,000,000원"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{**json.loads((EXAMPLES / "worknet-postings.json").read_text(encoding="utf-8"))
                                ["wantedRoot"]["wanted"][0], "wantedAuthNo": "X1", "sal": "월급 150만원", "minSal": ""},
                               {"wantedAuthNo": "X2", "busino": "123-45-67891", "title": "t"}], ensure_ascii=False),
                   encoding="utf-8")
    r = runner.invoke(cli_app, ["jobs", "import", str(bad)], env=env)
    assert r.exit_code == 1
    assert "1번째 공고" in r.output and "최저임금" in r.output and "Traceback" not in r.output
