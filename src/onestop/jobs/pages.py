"""Jobs pages. A seeker: the profile with its consent, matched postings with their reasons,
applying, invitations, downloading and deleting their data. A firm member: their firms'
postings, a new posting (errors next to the field, nothing typed lost), and the candidates of a
posting with reasons (anonymous until the seeker applies or accepts an invitation)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from onestop.accounts.model import Role
from onestop.errors import DomainError
from onestop.jobs import model, occupations, services
from onestop.korea import regions
from onestop.korea.dates import KST
from onestop.platform.db import utcnow
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute, client_ip

router = APIRouter(route_class=UnitOfWorkRoute)
STATES = {"applied": ("지원함", "Applied"), "invited": ("제안 받음", "Invited"), "accepted": ("제안 수락", "Accepted"),
          "declined": ("제안 거절", "Declined")}


def _today() -> date:
    return utcnow().astimezone(KST).date()


def _not_found(request: Request, who: CurrentActor) -> Response:
    return error_page(request, who, DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found."))


def _choices() -> dict[str, Any]:
    sigungu = [r for r in regions.table().values() if r.level == "sigungu"]
    sidos = {s.code: s for s in regions.sido_list()}
    grouped: dict[str, list[Any]] = {}
    for r in sorted(sigungu, key=lambda r: r.code):
        grouped.setdefault(r.code[:2], []).append(r)
    return {"regions": [(sidos[c], rows) for c, rows in grouped.items() if c in sidos],
            "occupations": [o for o in occupations.table().values() if o.level == 5],
            "known_occupations": occupations.table(),
            "education": model.EDUCATION, "commutes": model.COMMUTES, "types": model.EMPLOYMENT_TYPES,
            "units": model.PAY_UNITS, "programs": model.PROGRAMS, "region_en": regions.name_en}


def _form_to_seeker(form: Any) -> dict[str, Any]:
    def get(k: str) -> str:
        v = form.get(k)
        return v if isinstance(v, str) else ""

    held = [{"occupation": get(f"held.{i}.occupation"), "years": get(f"held.{i}.years") or "0"} for i in range(3)
            if get(f"held.{i}.occupation")]
    return {"birth_year": get("birth_year"), "region": get("region"), "commute": get("commute"), "held": held,
            "sought": [get(f"sought.{i}") for i in range(3) if get(f"sought.{i}")], "education": get("education"),
            "licences": [x.strip() for x in get("licences").replace("\n", ",").split(",") if x.strip()],
            "employment_types": [str(v) for v in form.getlist("employment_types")],
            "max_hours_per_week": get("max_hours_per_week"),
            "pay_floor": {"amount": get("pay_floor_won") or "0", "unit": get("pay_floor_unit")},
            "career_break": get("career_break") == "yes", "keywords": get("keywords")}


def _profile_page(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
                  values: dict[str, Any] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    row = services.my_seeker_row(db, who.principal)
    if values is None:
        values = dict(row.profile) if row is not None else {"commute": "province", "education": "high",
                                                              "max_hours_per_week": 40, "pay_floor": {"unit": "month"}}
        values["discoverable"] = bool(row.discoverable) if row is not None else False
    groups = []
    if row is not None:
        groups = [g for g in model.age_groups(row.birth_year, _today(), services.age_groups(_today()))]
    return render(request, who, "jobs/profile.html", status_code=status, row=row, values=values, errors=errors or [],
                  consent=services.consent_html(who.lang), consent_version=services.CONSENT_VERSION, groups=groups,
                  unread=unread(db, who), label=occupations.label, **_choices())


@router.get("/jobs")
def jobs_home(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return render(request, who, "jobs/home.html", count=len(services.open_postings(db, _today())), unread=0)
    if who.principal.role == Role.seeker:
        return see_other("/jobs/matches" if services.my_seeker_row(db, who.principal) else "/jobs/profile")
    return see_other("/jobs/firm" if who.principal.role == Role.firm_member else "/jobs/fairs")


@router.get("/jobs/profile")
def profile_page(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if who.principal.role != Role.seeker:
        return _not_found(request, who)
    return _profile_page(request, who, db)


@router.post("/jobs/profile")
def save_profile(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if who.principal.role != Role.seeker:
        return _not_found(request, who)
    data = _form_to_seeker(form)
    agreed = form.get("consent") == "yes"
    version = str(form.get("consent_version") or "")
    discoverable = form.get("discoverable") == "yes"
    try:
        with db.begin_nested():
            services.save_profile(db, who.principal, data, _today(), consent_version=version if agreed else None,
                                  discoverable=discoverable, ip=client_ip(request))
    except DomainError as e:
        return _profile_page(request, who, db, problems_of(e), {**data, "discoverable": discoverable}, 422)
    return see_other("/jobs/matches", "flash.action_done")


@router.get("/jobs/matches")
def matches_page(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if who.principal.role != Role.seeker:
        return _not_found(request, who)
    if services.my_seeker_row(db, who.principal) is None:
        return see_other("/jobs/profile")
    ranked = services.my_matches(db, who.principal, _today(), 20)
    engaged = services.my_engagements(db, who.principal)
    applied = {e.posting_id for e, _ in engaged}
    return render(request, who, "jobs/matches.html", ranked=ranked, engaged=engaged, applied=applied, states=STATES,
                  names=model.PART_NAMES, label=occupations.label, unread=unread(db, who))


@router.post("/jobs/postings/{posting_id}/apply")
def apply(posting_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            services.apply(db, who.principal, posting_id, _today())
    except DomainError as e:
        return error_page(request, who, e)
    return see_other("/jobs/matches", "flash.action_done")


@router.post("/jobs/invitations/{engagement_id}")
def answer(engagement_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            services.answer_invitation(db, who.principal, engagement_id, form.get("answer") == "accept")
    except DomainError as e:
        return error_page(request, who, e)
    return see_other("/jobs/matches", "flash.action_done")


@router.get("/jobs/my-data.json")
def my_data(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    body = json.dumps(services.export_my_data(db, who.principal), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="onestop-jobs-my-data.json"'})


@router.post("/jobs/my-data/delete")
def delete_my_data(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    services.delete_my_data(db, who.principal)
    return see_other("/jobs/profile", "flash.action_done")


# --- firms ------------------------------------------------------------------------------------


def _firm_page(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
               values: dict[str, Any] | None = None, status: int = 200) -> Response:
    from onestop.firms.services import public_facts_of

    assert who.principal is not None
    firms = public_facts_of(db, who.principal.firms)
    postings = [p for f in sorted(firms) for p in services.postings_of_firm(db, who.principal, f)]
    today = _today()
    minimum, source = services.minimum_wage(today)
    defaults = {"opens_on": today.isoformat(), "hours_per_week": "40", "pay_unit": "month", "employment_type": "permanent",
                "education_min": "any", "career_years": "0", "firm_id": str(min(firms)) if firms else ""}
    return render(request, who, "jobs/firm.html", status_code=status, firms=firms, postings=postings,
                  values=values if values is not None else defaults, errors=errors or [], minimum=minimum,
                  minimum_source=source, monthly=model.minimum_for(model.PayUnit.month, 40, minimum),
                  label=occupations.label, unread=unread(db, who), today=today, **_choices())


@router.get("/jobs/firm")
def firm_page(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.firms and who.principal.role == Role.firm_member:
        return see_other("/firms/new")  # a firm posts jobs once it is registered
    if not who.principal.firms:
        return _not_found(request, who)
    return _firm_page(request, who, db)


@router.post("/jobs/firm/postings")
def create_posting(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.firms:
        return _not_found(request, who)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    data: dict[str, Any] = {**values, "programs": [str(v) for v in form.getlist("programs")],
                            "licences": [x.strip() for x in values.get("licences", "").split(",") if x.strip()]}
    firm_id = values.get("firm_id", "")
    try:
        with db.begin_nested():
            row = services.create_posting(db, who.principal, int(firm_id) if firm_id.isdigit() else 0, data)
    except DomainError as e:
        return _firm_page(request, who, db, problems_of(e), {**values, "programs": data["programs"]}, 422)
    return see_other(f"/jobs/firm/postings/{row.id}", "flash.action_done")


@router.get("/jobs/firm/postings/{posting_id}")
def candidates_page(posting_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        found = services.candidates(db, who.principal, posting_id, _today(), 20)
    except DomainError:
        return _not_found(request, who)
    row = services.get_posting(db, posting_id)
    return render(request, who, "jobs/candidates.html", row=row, candidates=found, states=STATES,
                  names=model.PART_NAMES, label=occupations.label,
                  etype=model.EMPLOYMENT_TYPES[model.EmploymentType(row.data["employment_type"])],
                  unit=model.PAY_UNITS[model.PayUnit(row.data["pay_unit"])],
                  region_en=regions.name_en, region=regions.table(), unread=unread(db, who))


@router.post("/jobs/firm/postings/{posting_id}/invite")
def invite(posting_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    seeker = str(form.get("seeker_id") or "")
    try:
        with db.begin_nested():
            services.invite(db, who.principal, posting_id, int(seeker) if seeker.isdigit() else 0, _today())
    except DomainError as e:
        return error_page(request, who, e)
    return see_other(f"/jobs/firm/postings/{posting_id}", "flash.action_done")


# --- job fairs --------------------------------------------------------------------------------


@router.get("/jobs/fairs")
def fairs_page(request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.jobs import fairs

    return render(request, who, "jobs/fairs.html", fairs=fairs.list_fairs(db, _today()), kinds=fairs.KINDS,
                  officer=who.principal is not None and who.principal.role == Role.officer, errors=[], values={},
                  unread=unread(db, who))


@router.post("/jobs/fairs")
def create_fair(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.jobs import fairs

    if who.principal is None:
        return login_redirect(request)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        starts, ends = date.fromisoformat(values.get("starts_on", "")), date.fromisoformat(values.get("ends_on", ""))
    except ValueError:
        starts = ends = date(1900, 1, 1)
    try:
        with db.begin_nested():
            row = fairs.create_fair(db, who.principal, name=values.get("name", ""), kind=values.get("kind", ""),
                                    starts_on=starts, ends_on=ends, venue=values.get("venue", ""))
    except DomainError as e:
        return render(request, who, "jobs/fairs.html", status_code=422, fairs=fairs.list_fairs(db, _today()),
                      kinds=fairs.KINDS, officer=True, errors=problems_of(e), values=values, unread=unread(db, who))
    return see_other(f"/jobs/fairs/{row.id}", "flash.action_done")


@router.get("/jobs/fairs/{fair_id}")
def fair_page(fair_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.firms.services import public_facts_of
    from onestop.jobs import fairs

    try:
        v = fairs.view(db, who.principal, fair_id)
    except DomainError:
        return _not_found(request, who)
    free = {b.id: fairs.open_slots(db, b.id) for b in v.booths} if v.registered else {}
    p = who.principal
    my_firms = public_facts_of(db, p.firms) if p is not None else {}
    own_postings = {f: services.postings_of_firm(db, p, f) for f in my_firms} if p is not None else {}
    return render(request, who, "jobs/fair.html", v=v, free=free, kinds=fairs.KINDS, results=fairs.RESULTS,
                  next_results=fairs.NEXT, my_firms=my_firms, own_postings=own_postings,
                  seeker=p is not None and p.role == Role.seeker, kst=KST, unread=unread(db, who))


@router.post("/jobs/fairs/{fair_id}/register")
def register_for_fair(fair_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.jobs import fairs

    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            fairs.register_seeker(db, who.principal, fair_id)
    except DomainError as e:
        return error_page(request, who, e)
    return see_other(f"/jobs/fairs/{fair_id}", "flash.action_done")


@router.post("/jobs/fairs/{fair_id}/booths")
def register_booth(fair_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.jobs import fairs

    if who.principal is None:
        return login_redirect(request)
    firm = str(form.get("firm_id") or "")
    postings = [int(x) for x in form.getlist("posting_ids") if isinstance(x, str) and x.isdigit()]
    try:
        with db.begin_nested():
            fairs.register_booth(db, who.principal, fair_id, int(firm) if firm.isdigit() else 0, postings)
    except DomainError as e:
        return error_page(request, who, e)
    return see_other(f"/jobs/fairs/{fair_id}", "flash.action_done")


@router.post("/jobs/fairs/{fair_id}/book")
def book_interview(fair_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    from datetime import datetime

    from onestop.jobs import fairs

    if who.principal is None:
        return login_redirect(request)
    booth, slot = str(form.get("booth_id") or ""), str(form.get("starts_at") or "")
    try:
        try:
            starts = datetime.fromisoformat(slot)
        except ValueError:
            raise DomainError(code="slot_invalid", field="starts_at", ko="면접 시간을 고르세요.",
                              en="Choose an interview time.") from None
        with db.begin_nested():
            fairs.book(db, who.principal, int(booth) if booth.isdigit() else 0, starts)
    except DomainError as e:
        return error_page(request, who, e)
    return see_other(f"/jobs/fairs/{fair_id}", "flash.action_done")


@router.post("/jobs/interviews/{interview_id}/result")
def interview_result(interview_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.jobs import fairs

    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            row = fairs.record_result(db, who.principal, interview_id, str(form.get("result") or ""))
    except DomainError as e:
        return error_page(request, who, e)
    from onestop.jobs.tables import JobFairBoothRow

    booth = db.get(JobFairBoothRow, row.booth_id)
    return see_other(f"/jobs/fairs/{booth.fair_id if booth else 0}", "flash.action_done")


# --- placements -------------------------------------------------------------------------------


def _placements_page(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
                     values: dict[str, str] | None = None, status: int = 200) -> Response:
    from onestop.jobs import placements

    assert who.principal is not None
    postings, seekers = placements.hireable(db, who.principal) if who.principal.firms else ([], [])
    today = _today()
    return render(request, who, "jobs/placements.html", status_code=status, firm_rows=placements.of_firms(db, who.principal),
                  my_rows=placements.of_seeker(db, who.principal), postings=postings, seekers=seekers,
                  is_member=bool(who.principal.firms), today=today, months=placements.RETENTION_MONTHS,
                  values=values if values is not None else {"starts_on": today.isoformat()}, errors=errors or [],
                  types={t.value: (ko, en) for t, (_, ko, en) in model.EMPLOYMENT_TYPES.items()},
                  units={u.value: (ko, en) for u, (_, ko, en) in model.PAY_UNITS.items()}, unread=unread(db, who))


@router.get("/jobs/placements")
def placements_page(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _placements_page(request, who, db)


@router.post("/jobs/placements")
def propose_placement(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.jobs import placements

    if who.principal is None:
        return login_redirect(request)
    if not who.principal.firms:
        return _not_found(request, who)
    values = {k: str(form.get(k) or "") for k in ("posting_id", "seeker_id", "starts_on")}
    try:
        starts = placements.parse_start(values["starts_on"])
        with db.begin_nested():
            placements.propose(db, who.principal, int(values["posting_id"]) if values["posting_id"].isdigit() else 0,
                               int(values["seeker_id"]) if values["seeker_id"].isdigit() else 0, starts)
    except DomainError as e:
        return _placements_page(request, who, db, problems_of(e), values, 422)
    return see_other("/jobs/placements", "flash.action_done")


@router.post("/jobs/placements/{placement_id}/confirm")
def confirm_placement(placement_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.jobs import placements

    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            placements.confirm(db, who.principal, placement_id)
    except DomainError:
        return _not_found(request, who)
    return see_other("/jobs/placements", "flash.action_done")


@router.post("/jobs/placements/{placement_id}/retention")
def placement_retention(placement_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.jobs import placements

    if who.principal is None:
        return login_redirect(request)
    months, answer = str(form.get("months") or ""), str(form.get("retained") or "")
    try:
        if answer not in ("yes", "no"):
            raise DomainError(code="choice_unknown", field="retained",
                              ko="계속 근무 중인지 '예' 또는 '아니요'로 답하세요.", en="Answer 'yes' or 'no': do they still work there?")
        with db.begin_nested():
            placements.record_retention(db, who.principal, placement_id, int(months) if months.isdigit() else 0,
                                        answer == "yes", _today())
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        where = f"retained-{placement_id}-{months if months in ('3', '6') else '3'}"
        return _placements_page(request, who, db, [{**p, "field": where} for p in problems_of(e)], None, 422)
    return see_other("/jobs/placements", "flash.action_done")


from onestop.jobs.course_pages import router as _course_router  # noqa: E402  (re-employment courses)

router.include_router(_course_router)
