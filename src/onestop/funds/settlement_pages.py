"""Grant settlement pages. Firms: their grants to settle, the settlement form (spending lines
with receipts; after a return, the previous lines filled in and their receipts kept unless
replaced), the decision and the clawback owed. Officers: the settlements of their agency, the
review (allow or cut each line, due date), a return for correction, and the clawback's
payments. Thin: every rule is in `settlements` and `settlement_model`."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from onestop.applications.documents import MAX_BYTES, download_headers
from onestop.errors import DomainError, FieldProblem
from onestop.funds import budgets, settlements
from onestop.funds.settlement_model import CATEGORIES, CLAWBACK_NAMES, STATE_NAMES, Review, State
from onestop.korea.money import MAX_WON
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute, records_views
from onestop.text import identifier, text, whole_number

router = APIRouter(route_class=UnitOfWorkRoute)
#: the empty rows a settlement form offers beyond the lines already given
SPARE_ROWS = 3


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return text(value).strip() if isinstance(value, str) else ""


def _amount(raw: str, field: str, n: int | None, problems: list[FieldProblem]) -> int:
    number = whole_number(identifier(raw))
    if number is None or number < 0 or number > MAX_WON:
        where_ko, where_en = (f"{n}번째 줄: ", f"Line {n}: ") if n else ("", "")
        problems.append(FieldProblem(field, "invalid", f"{where_ko}금액은 원 단위 숫자로 적어 주세요 (지금: {raw or '비어 있음'}).",
                                     f"{where_en}give the amount as a whole number of won (got {raw or 'nothing'})."))
        return 0
    return number


def _date(raw: str, field: str, problems: list[FieldProblem]) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(FieldProblem(field, "invalid", f"날짜는 YYYY-MM-DD로 적어 주세요 (지금: {raw or '비어 있음'}).",
                                     f"Give the date as YYYY-MM-DD (got {raw or 'nothing'})."))
        return None


def _refuse(problems: list[FieldProblem]) -> None:
    if problems:
        first = problems[0]
        raise DomainError(code="invalid", field=first.field, ko=first.ko, en=first.en, problems=problems)


def _names(db: Session, program_ids: list[str]) -> dict[str, Any]:
    return {pid: budgets.program_spec(db, pid)["name"] for pid in set(program_ids)}


# --- firms ------------------------------------------------------------------------------------

@router.get("/settlements")
def my_settlements(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    rows = settlements.to_settle(db, who.principal)
    return render(request, who, "funds/settlements.html", rows=rows, names=_names(db, [r.program_id for r, _, _ in rows]),
                  states=STATE_NAMES, clawback_names=CLAWBACK_NAMES, unread=unread(db, who))


def _firm_page(request: Request, who: CurrentActor, db: Session, app_id: int, errors: list[dict[str, str]] | None = None,
               form: dict[str, str] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    try:
        row, paid, view = settlements.of_application(db, who.principal, app_id)
    except DomainError as e:
        return error_page(request, who, e)
    if row.firm_id not in who.principal.firms or paid is None:  # officers review at /officer/settlements
        return error_page(request, who, settlements.NOT_FOUND)
    editable = view is None or view.row.state == State.returned.value
    given = dict(form or {})
    if view is not None and form is None:  # after a return: the previous lines, to correct
        for x in view.lines:
            given.update({f"lines[{x.number}].category": x.category, f"lines[{x.number}].description": x.description,
                          f"lines[{x.number}].amount": str(x.amount), f"lines[{x.number}].keep": str(x.number)})
    rows = (len(view.lines) if view is not None else 0) + SPARE_ROWS
    return render(request, who, "funds/settlement.html", status_code=status, app=row, paid=paid, v=view,
                  editable=editable, rows=rows, form=given, categories=CATEGORIES, states=STATE_NAMES,
                  clawback_names=CLAWBACK_NAMES, name=_names(db, [row.program_id])[row.program_id],
                  errors=errors or [], unread=unread(db, who))


@router.get("/settlements/{app_id}")
def settlement_page(app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _firm_page(request, who, db, app_id)


@router.post("/settlements/{app_id}")
def submit(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    given: dict[str, str] = {k: _text(form, k) for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
    n_rows = max([int(k[6:k.index("]")]) for k in given if k.startswith("lines[") and "]" in k and k[6:k.index("]")].isdigit()]
                 + [0])
    filled = []
    for n in range(1, min(n_rows, 60) + 1):
        upload = form.get(f"lines[{n}].receipt")
        has_file = isinstance(upload, UploadFile) and bool(upload.filename)
        if any(given.get(f"lines[{n}].{k}") for k in ("description", "amount")) or has_file:
            filled.append(n)
    last = max(filled, default=0)
    problems: list[FieldProblem] = []
    lines = []
    for n in range(1, last + 1):
        upload = form.get(f"lines[{n}].receipt")
        name, data = "", None
        if isinstance(upload, UploadFile) and upload.filename:
            name, data = upload.filename, upload.file.read(MAX_BYTES + 1)
        keep = given.get(f"lines[{n}].keep", "")
        lines.append(settlements.LineIn(given.get(f"lines[{n}].category", ""), given.get(f"lines[{n}].description", ""),
                                        _amount(given.get(f"lines[{n}].amount", ""), f"lines[{n}].amount", n, problems),
                                        name, data, int(keep) if keep.isdigit() else None))
    try:
        with db.begin_nested():
            _refuse(problems)
            settlements.submit(db, who.principal, request.app.state.app.store, app_id, lines, given.get("note", ""))
    except DomainError as e:
        if e.code == "not_found":
            return error_page(request, who, e)
        return _firm_page(request, who, db, app_id, problems_of(e), given, 422)
    return see_other(f"/settlements/{app_id}", "flash.action_done")


@router.get("/settlements/receipts/{line_id}", responses={200: {"content": {"application/octet-stream": {}}}})
@records_views
def receipt(line_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        line, data = settlements.receipt(db, who.principal, request.app.state.app.store, line_id)
    except DomainError as e:
        return error_page(request, who, e)
    return Response(data, media_type=line.receipt_type, headers=download_headers(line.receipt_name, line.receipt_sha256))


# --- officers ---------------------------------------------------------------------------------

def _officer(request: Request, who: CurrentActor) -> Response | None:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return error_page(request, who, DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found."))
    return None


@router.get("/officer/settlements")
def queue(request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    assert who.principal is not None
    views = settlements.queue(db, who.principal)
    return render(request, who, "funds/officer_settlements.html", views=views,
                  names=_names(db, [v.row.program_id for v in views]), states=STATE_NAMES,
                  clawback_names=CLAWBACK_NAMES, unread=unread(db, who))


def _review_page(request: Request, who: CurrentActor, db: Session, sid: int, errors: list[dict[str, str]] | None = None,
                 form: dict[str, str] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    try:
        v = settlements.view(db, who.principal, sid)
        if v.actor != "officer":
            raise settlements.NOT_FOUND
    except DomainError as e:
        return error_page(request, who, e)
    given = dict(form or {})
    given.setdefault("due_on", settlements.default_due(settlements.today()).isoformat())
    given.setdefault("paid_on", settlements.today().isoformat())
    for x in v.lines:
        given.setdefault(f"lines[{x.number}].allowed", str(x.amount if x.allowed is None else x.allowed))
        given.setdefault(f"lines[{x.number}].reason", x.cut_reason)
    return render(request, who, "funds/officer_settlement.html", status_code=status, v=v, form=given,
                  categories=CATEGORIES, states=STATE_NAMES, clawback_names=CLAWBACK_NAMES,
                  name=_names(db, [v.row.program_id])[v.row.program_id], errors=errors or [], unread=unread(db, who))


@router.get("/officer/settlements/{sid}")
def review_page(sid: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    return _review_page(request, who, db, sid)


def _officer_change(request: Request, who: CurrentActor, db: Session, sid: int, given: dict[str, str],
                    change: Any) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    try:
        with db.begin_nested():
            change()
    except DomainError as e:
        if e.code == "not_found":
            return error_page(request, who, e)
        return _review_page(request, who, db, sid, problems_of(e), given, 422)
    return see_other(f"/officer/settlements/{sid}", "flash.action_done")


@router.post("/officer/settlements/{sid}/decide")
def decide(form: PostedForm, sid: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    given = {k: _text(form, k) for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}

    def change() -> None:
        assert who.principal is not None
        v = settlements.view(db, who.principal, sid)
        problems: list[FieldProblem] = []
        reviews = [Review(_amount(given.get(f"lines[{x.number}].allowed", ""), f"lines[{x.number}].allowed", x.number,
                                  problems), given.get(f"lines[{x.number}].reason", "")) for x in v.lines]
        due = _date(given.get("due_on", ""), "due_on", problems)
        _refuse(problems)
        settlements.decide(db, who.principal, sid, reviews, due, given.get("note", ""))

    return _officer_change(request, who, db, sid, given, change)


@router.post("/officer/settlements/{sid}/return")
def return_for_correction(form: PostedForm, sid: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    given = {"reason": _text(form, "reason")}

    def change() -> None:
        assert who.principal is not None
        settlements.return_for_correction(db, who.principal, sid, given["reason"])

    return _officer_change(request, who, db, sid, given, change)


@router.post("/officer/settlements/{sid}/payments")
def clawback_payment(form: PostedForm, sid: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    given = {k: _text(form, k) for k in ("paid_on", "amount", "transaction_id")}

    def change() -> None:
        assert who.principal is not None
        problems: list[FieldProblem] = []
        amount = _amount(given["amount"], "amount", None, problems)
        paid_on = _date(given["paid_on"], "paid_on", problems)
        _refuse(problems)
        assert paid_on is not None
        settlements.record_clawback_payment(db, who.principal, sid, paid_on, amount, given["transaction_id"])

    return _officer_change(request, who, db, sid, given, change)
