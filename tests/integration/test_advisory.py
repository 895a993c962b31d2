"""Advisory routing end to end on SQLite and PostgreSQL: a need goes to the competent experts by
subject, region, filters stored as data and capacity, with reasons; experts take or decline (a
decline routes it on); only those concerned see it; reminders at +7/+21/+45 Korean business days
go out once; closing, the survey and the officer's open-needs and statistics views."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

import pytest
from sqlalchemy import select

from onestop.advisory import services
from onestop.advisory.tables import NeedReminderRow, NeedRow
from onestop.alerts.tables import NotificationRow
from onestop.errors import DomainError
from onestop.korea.dates import KST
from onestop.platform.db import Database
from tests.integration.advisory_helpers import expert, retire_all
from tests.integration.funds_helpers import officer, principal


@pytest.fixture(scope="module")
def database(database_url: str) -> Any:
    db = Database(database_url)
    yield db
    db.dispose()


def _at(day: Any) -> datetime:
    return datetime.combine(day, time(9), tzinfo=KST)


def _firm(p: Any) -> int:
    return sorted(p.firms)[0]


def test_routing_by_subject_region_filters_and_capacity(database: Database) -> None:
    with database.unit_of_work() as s:
        retire_all(s)
        gyeongnam, _ = expert(s, "정수출", ["export"], ["48", "26"], {"ksic_prefixes": ["C"]}, login=False)
        nationwide, _ = expert(s, "한무역", ["export"], [], {"sizes": ["small", "medium"]}, login=False)
        expert(s, "오기술", ["tech"], ["48"], login=False)  # another subject
        expert(s, "서울만", ["export"], ["11"], login=False)  # another region
        expert(s, "비제조", ["export"], ["48"], {"exclude_ksic_prefixes": ["C29"]}, login=False)  # excludes the industry
        expert(s, "신생만", ["export"], ["48"], {"max_business_age": 7}, login=False)  # the firm is 12 years old
        full, _ = expert(s, "바쁜위원", ["export"], ["48"], capacity=1, login=False)
        busy_firm = principal(s, "founder@onestop.demo")
        services.submit_need(s, busy_firm, _firm(busy_firm), "export", "판로", "수출 판로를 찾고 있습니다. 도와주세요.")
        # the founder's need (전남) went to the nationwide expert only, not to 바쁜위원; fill 바쁜위원 by hand
        s.add(services.NeedRouteRow(need_id=s.scalar(select(NeedRow.id).order_by(NeedRow.id.desc())),
                                    expert_id=full.id, state="pending", reason_ko="", reason_en=""))
        s.flush()
        who = principal(s, "exporter@onestop.demo")
        need = services.submit_need(s, who, _firm(who), "export", "중동 바이어 발굴",
                                    "사우디 플랜트용 펌프 부품 수출을 준비 중입니다. 바이어 발굴 자문이 필요합니다.")
        chosen = [(r.expert_id, r.reason_ko, r.reason_en) for r, _ in services.routes(s, need.id)]
        assert [c[0] for c in chosen] == [gyeongnam.id, nationwide.id]  # regional first
        assert chosen[0][1] == "부산·경남 담당, 수출 자문, 제조업 대상, 상담 여력 5건"
        assert chosen[0][2] == "covers Busan, Gyeongnam; advises on export; for manufacturing; 5 open slots"
        assert "소기업·중기업 대상" in chosen[1][1] and "전국 담당" in chosen[1][1]
        excluded = {e["reason"]: e["experts"] for e in need.decision["excluded"]}
        assert excluded == {"subject": 1, "region": 1, "industry": 1, "age": 1, "capacity": 1}
        assert need.state == "open" and need.facts["sido"] == "48"
        told = s.scalars(select(NotificationRow.user_id).where(NotificationRow.kind == "advisory_routed",
                                                               NotificationRow.link == f"/advisory/needs/{need.id}"))
        assert set(told) == {gyeongnam.user_id, nationwide.user_id}


def test_take_decline_reroute_close_survey_and_authorization(database: Database) -> None:
    with database.unit_of_work() as s:
        retire_all(s)
        first, first_mail = expert(s, "김자문", ["management"], ["48"], login=False)
        second, second_mail = expert(s, "이자문", ["management"], [], login=False)
        later, later_mail = expert(s, "박자문", ["management"], ["48"], capacity=3, login=False)
        later.active = False
        s.flush()
        who = principal(s, "exporter@onestop.demo")
        need = services.submit_need(s, who, _firm(who), "management", "원가 관리", "원가 관리 체계를 만들고 싶습니다.")
        need_id = need.id
    with database.unit_of_work() as s:
        e1, e2, e3 = (principal(s, m) for m in (first_mail, second_mail, later_mail))
        other_firm = principal(s, "founder@onestop.demo")
        for stranger in (other_firm, e3):  # side by side: neither the other firm nor an expert not routed sees it
            with pytest.raises(DomainError) as err:
                services.get_need(s, stranger, need_id)
            assert err.value.code == "not_found"
        with pytest.raises(DomainError) as err:
            services.take(s, e3, need_id, "제가 맡겠습니다. 연락드리겠습니다.")
        assert err.value.code == "not_found"
        with pytest.raises(DomainError) as err:
            services.decline(s, e1, need_id, "")
        assert err.value.field == "reason" and "거절 사유" in err.value.ko
        services.decline(s, e1, need_id, "해당 업종 경험이 없습니다")
        s.get(type(later), later.id).active = True
        s.flush()
        services.decline(s, e2, need_id, "일정이 맞지 않습니다")
        # nobody left on it: routed again, to the one who has not declined
        rows = {e.id: r.state for r, e in services.routes(s, need_id)}
        assert rows == {first.id: "declined", second.id: "declined", later.id: "pending"}
        services.take(s, e3, need_id, "원가 관리 진단부터 시작하겠습니다. 다음 주에 방문하겠습니다.")
        assert s.get(NeedRow, need_id).state == "taken"
        firm = principal(s, "exporter@onestop.demo")
        with pytest.raises(DomainError) as err:
            services.survey(s, firm, need_id, "5", "")
        assert err.value.code == "conflict"
        services.close(s, e3, need_id, "done")
        with pytest.raises(DomainError) as err:
            services.survey(s, firm, need_id, "6", "")
        assert err.value.field == "satisfaction" and "1(매우 불만족)부터 5" in err.value.ko
        services.survey(s, firm, need_id, "5", "큰 도움이 되었습니다")
        per_expert, per_inst, closures = services.statistics(s, officer(s))
        mine = next(x for x in per_expert if x.name == "박자문")
        assert (mine.routed, mine.taken, mine.closed_done, mine.satisfaction) == (1, 1, 1, 5.0)
        assert closures["done"] >= 1 and any(x.name == "전경련중소기업협력센터" for x in per_inst)
        with pytest.raises(DomainError):
            services.statistics(s, firm)


def test_reminders_at_7_21_45_business_days_once(database: Database) -> None:
    with database.unit_of_work() as s:
        retire_all(s)
        e, _ = expert(s, "최인력", ["people"], [], login=False)
        who = principal(s, "seoul@onestop.demo")
        # routed on Friday 2026-09-18, before Chuseok (9/24–25; 9/26 falls on a Saturday, no substitute
        # day for Chuseok), 개천절 on a Saturday (substitute Monday 10/5) and 한글날 (10/9)
        need = services.submit_need(s, who, _firm(who), "people", "개발자 채용", "개발자 채용 방법을 알고 싶습니다.",
                                    now=_at(datetime(2026, 9, 18).date()))
        need_id = need.id
        due = {r.step: r.due_on.isoformat() for r in s.scalars(select(NeedReminderRow)
                                                                .where(NeedReminderRow.need_id == need_id))}
        assert due == {7: "2026-10-01", 21: "2026-10-23", 45: "2026-11-26"}
    with database.unit_of_work() as s:
        assert services.send_reminders(s, now=_at(datetime(2026, 9, 30).date())) == 0
        assert services.send_reminders(s, now=_at(datetime(2026, 10, 1).date())) == 1
        assert services.send_reminders(s, now=_at(datetime(2026, 10, 1).date())) == 0  # once
        notes = list(s.scalars(select(NotificationRow).where(NotificationRow.kind == "advisory_reminder",
                                                             NotificationRow.link == f"/advisory/needs/{need_id}")))
        assert [n.user_id for n in notes] == [e.user_id] and "7영업일째" in notes[0].title_ko
        opened = services.open_needs(s, officer(s), now=_at(datetime(2026, 10, 23).date()))
        mine = next(o for o in opened if o.need.id == need_id)
        assert mine.band == "d21"
        assert services.send_reminders(s, now=_at(datetime(2026, 10, 23).date())) == 1
        # the last step also tells the firm
        assert services.send_reminders(s, now=_at(datetime(2026, 11, 26).date())) == 1
        last = list(s.scalars(select(NotificationRow.user_id).where(NotificationRow.kind == "advisory_reminder",
                                                                    NotificationRow.link == f"/advisory/needs/{need_id}")))
        assert len(last) == 4 and set(last) == {e.user_id, who.user_id}


def test_cli_registers_an_expert_and_routes_a_need_to_the_registered_experts(database: Database,
                                                                             database_url: str) -> None:
    from typer.testing import CliRunner

    from onestop.cli import app

    with database.unit_of_work() as s:
        retire_all(s)
    run = CliRunner()
    bad = run.invoke(app, ["advisory", "expert", "cli.expert@advisory.test", "--name", "강수출", "--institution", "KOTRA",
                           "--subjects", "export,space", "--ksic", "Z9", "--password", "a-long-password-13",
                           "--database-url", database_url])
    assert bad.exit_code == 1 and "자문 분야를 하나 이상 고르세요" in bad.output and "한국표준산업분류" in bad.output
    ok = run.invoke(app, ["advisory", "expert", "cli.expert@advisory.test", "--name", "강수출", "--institution", "KOTRA",
                          "--subjects", "export", "--regions", "48", "--ksic", "C", "--password", "a-long-password-13",
                          "--database-url", database_url])
    assert ok.exit_code == 0, ok.output
    routed = run.invoke(app, ["advisory", "route", "examples/need-export.json", "--json", "--database-url",
                              database_url])
    assert routed.exit_code == 0, routed.output
    assert [x["name"] for x in json.loads(routed.stdout)["routed"]] == ["강수출"]


def test_long_term_engagement_sessions_and_end_assessment(database: Database) -> None:
    from onestop.advisory import engagements

    with database.unit_of_work() as s:
        retire_all(s)
        _, mail = expert(s, "한멘토", ["management"], [], login=False)
        _, other_mail = expert(s, "두번째", ["management"], [], login=False)
        who = principal(s, "crisis@onestop.demo")
        need = services.submit_need(s, who, _firm(who), "management", "재무 구조 개선",
                                    "부채 비율을 낮추는 방법을 1년간 자문받고 싶습니다.")
        need_id = need.id
    with database.unit_of_work() as s:
        mentor, other = principal(s, mail), principal(s, other_mail)
        with pytest.raises(DomainError) as err:  # not taken yet
            engagements.start(s, mentor, need_id, "management_doctor", "6")
        assert err.value.code == "conflict"
        services.take(s, mentor, need_id, "재무 진단 후 1년 경영닥터제로 진행하겠습니다.")
        with pytest.raises(DomainError) as err:
            engagements.start(s, other, need_id, "management_doctor", "6")  # pending, not taken by them
        assert err.value.code == "conflict"
        with pytest.raises(DomainError) as err:
            engagements.start(s, mentor, need_id, "management_doctor", "99")
        assert err.value.field == "planned_sessions"
        engagements.start(s, mentor, need_id, "business_mentoring", "6")
        told = s.scalars(select(NotificationRow.title_ko).where(NotificationRow.kind == "advisory_engagement"))
        from onestop.korea.hangul import particle

        assert f"자문 요청 #{need_id}{particle(str(need_id), '은')} 비즈니스 멘토링으로 이어집니다 (6회)." in list(told)
        with pytest.raises(DomainError) as err:
            engagements.end(s, mentor, need_id, "목표를 모두 달성했습니다. 부채비율 개선.", "yes")
        assert "하나 이상 보고한 뒤" in err.value.ko
        with pytest.raises(DomainError) as err:
            engagements.add_session(s, mentor, need_id, "2099-01-01", "재무제표 분석과 개선 과제 도출")
        assert err.value.field == "held_on"
        engagements.add_session(s, mentor, need_id, services.today_kst().isoformat(), "재무제표 분석과 개선 과제 도출")
        row = engagements.end(s, mentor, need_id, "부채비율을 180%에서 140%로 낮추는 계획을 세웠습니다.", "yes")
        assert row.state == "ended" and row.goals_met is True
        assert len(engagements.of_need(s, need_id)[1]) == 1


def test_decisions_on_a_need_are_in_its_audit_chain(database: Database) -> None:
    from onestop.audit.tables import AuditRow

    with database.unit_of_work() as s:
        actions = set(s.scalars(select(AuditRow.action).where(AuditRow.subject.like("advisory_need:%"))))
    assert {"advisory.submit", "advisory.route", "advisory.take", "advisory.decline", "advisory.close"} <= actions
