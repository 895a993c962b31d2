"""Funds pages. Officers: the fund dashboard (budgets, committed, disbursed, outstanding,
repaid, overdue per program and region, a monthly chart, XLSX export), opening a budget,
paying out signed agreements in a batch with its bank file. Firms: their loans, each with its
schedule, next payment, history and balance. Forms re-render with the reason next to the
field; nothing saved before is lost."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from onestop.errors import DomainError
from onestop.funds import budgets, loans
from onestop.funds.loans_model import ALLOCATION_NAMES, BUCKET_NAMES
from onestop.funds.schedule import METHOD_NAMES, Frequency, Method
from onestop.korea import regions
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute
from onestop.text import identifier, is_ascii_digits, whole_number

router = APIRouter(route_class=UnitOfWorkRoute)
FREQUENCY_NAMES = {Frequency.monthly: ("매월", "monthly"), Frequency.quarterly: ("3개월마다(분기)", "quarterly")}
DASHBOARD_COLUMNS = ("사업 Program", "연도 Year", "지역 Region", "예산 Budget", "잔액 Available", "약정 Committed",
                     "집행 Disbursed", "대출잔액 Outstanding", "회수 Repaid", "연체 Overdue")


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return identifier(value) if isinstance(value, str) else ""


def _won(form: FormData, key: str, label_ko: str, label_en: str) -> int:
    raw = _text(form, key)
    number = whole_number(raw)
    if number is None or number < 0 or number > MAX_WON:
        raise DomainError(code="invalid", field=key, ko=f"{josa(str(label_ko), '은')} 원 단위 숫자로 입력하세요 "
                             f"(지금: {raw or '비어 있음'}).",
                          en=f"{label_en} must be a whole number of won (got {raw or 'nothing'}).")
    return number


def _officer(request: Request, who: CurrentActor) -> Response | None:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return error_page(request, who, DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found."))
    return None


def _dashboard(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
               form: dict[str, str] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    rows = budgets.visible(db, who.principal)
    series = budgets.monthly(db, [b.id for b, _, _ in rows])
    top = max([max(d, r) for _, d, r in series] + [1])
    programs = budgets.budgetable_programs(db, who.principal)
    waiting = budgets.awaiting_payment(db, who.principal)
    specs = {pid: spec for pid, spec in programs}
    for _, row in waiting:
        specs.setdefault(row.program_id, budgets.program_spec(db, row.program_id))
    totals = {k: sum(getattr(f, k) for _, _, f in rows) for k in
              ("amount", "available", "committed", "disbursed", "outstanding", "repaid", "overdue")}
    return render(request, who, "funds/dashboard.html", status_code=status, rows=rows, series=series, top=top,
                  programs=programs, waiting=waiting, specs=specs, totals=totals, errors=errors or [],
                  form=form or {}, sidos=regions.sido_list(), methods=METHOD_NAMES, frequencies=FREQUENCY_NAMES,
                  year=loans.today().year, selected=(form or {}).get("application_id") or request.query_params.get("pay", ""),
                  unread=unread(db, who))


@router.get("/officer/funds")
def dashboard(request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    return _dashboard(request, who, db)


@router.get("/officer/funds.xlsx")
def dashboard_xlsx(request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    assert who.principal is not None
    rows = [(spec["name"]["ko"], b.fiscal_year, regions.name_of(b.region) if b.region else "전체", f.amount, f.available,
             f.committed, f.disbursed, f.outstanding, f.repaid, f.overdue)
            for b, spec, f in budgets.visible(db, who.principal)]
    body = loans.xlsx("funds", DASHBOARD_COLUMNS, rows)
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="funds-dashboard.xlsx"'})


@router.post("/officer/funds/budgets")
def open_budget(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    assert who.principal is not None
    given = {k: _text(form, k) for k in ("program_id", "fiscal_year", "region", "amount")}
    try:
        with db.begin_nested():
            year = given["fiscal_year"]
            if not is_ascii_digits(year) or len(year) != 4:
                raise DomainError(code="invalid", field="fiscal_year",
                                  ko=f"회계연도는 네 자리 연도로 입력하세요 (지금: {year or '비어 있음'}).",
                                  en=f"The fiscal year is a four-digit year (got {year or 'nothing'}).")
            budgets.create(db, who.principal, given["program_id"], int(year),
                           _won(form, "amount", "예산액", "The budget"), given["region"])
    except DomainError as e:
        return _dashboard(request, who, db, problems_of(e), given, 422)
    return see_other("/officer/funds", "flash.action_done")


@router.post("/officer/funds/batches")
def new_batch(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    assert who.principal is not None
    given = {k: _text(form, k) for k in ("application_id", "bank", "account", "holder", "pay_amount", "method",
                                         "frequency", "line", "value_date")}
    try:
        with db.begin_nested():
            try:
                value_date = date.fromisoformat(given["value_date"])
            except ValueError:
                raise DomainError(code="invalid", field="value_date", ko="지급일을 YYYY-MM-DD로 입력하세요.",
                                  en="Give the payment date as YYYY-MM-DD.") from None
            app_id = int(given["application_id"]) if is_ascii_digits(given["application_id"]) else -1
            amount = _won(form, "pay_amount", "지급액", "The amount") if given["pay_amount"] else None
            result = loans.create_batch(db, who.principal, value_date, [loans.LineInput(
                app_id, given["bank"], given["account"], given["holder"], amount, given["method"] or Method.equal_principal,
                given["frequency"] or Frequency.quarterly, given["line"] or None)])
            if result.batch is None:
                problem = result.refused[0][1]
                raise DomainError(code=problem.code, field=problem.field, ko=problem.ko, en=problem.en)
            batch_id = result.batch.id
    except DomainError as e:
        return _dashboard(request, who, db, problems_of(e), given, 422)
    return see_other(f"/officer/funds/batches/{batch_id}", "flash.action_done")


@router.get("/officer/funds/batches/{batch_id}")
def batch_page(batch_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    try:
        batch, lines = loans.batch_for(db, who.principal, batch_id)  # type: ignore[arg-type]
    except DomainError as e:
        return error_page(request, who, e)
    paid = {line.application_id: loans.loan_of_application(db, line.application_id) for line in lines}
    executed = {line.application_id: budgets.commitment_of(db, line.application_id) for line in lines}
    return render(request, who, "funds/batch.html", batch=batch, lines=lines, paid=paid, executed=executed,
                  unread=unread(db, who))


@router.get("/officer/funds/batches/{batch_id}/bank.{fmt}")
def bank_file(batch_id: PathId, fmt: str, request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    try:
        loans.batch_for(db, who.principal, batch_id)  # type: ignore[arg-type]
        if fmt == "csv":
            return Response(loans.bank_file_csv(db, batch_id), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'})
        if fmt == "xlsx":
            return Response(loans.bank_file_xlsx(db, batch_id),
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.xlsx"'})
        raise DomainError(code="not_found", ko="csv 또는 xlsx만 있습니다.", en="Only csv and xlsx exist.")
    except DomainError as e:
        return error_page(request, who, e)


@router.post("/officer/funds/batches/{batch_id}/execute")
def execute(batch_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    assert who.principal is not None
    try:
        batch, lines = loans.batch_for(db, who.principal, batch_id)
        for line in lines:
            with db.begin_nested():
                loans.pay_line(db, who.principal, line, batch.value_date)
    except DomainError as e:
        return error_page(request, who, e)
    return see_other(f"/officer/funds/batches/{batch_id}", "flash.action_done")


@router.get("/loans")
def my_loans(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    rows = [loan for firm_id in sorted(who.principal.firms) for loan in loans.loans_of_firm(db, who.principal, firm_id)]
    views = [loans.view(db, who.principal, r.id) for r in rows]
    return render(request, who, "funds/loans.html", views=views, names=_names(db, [r.program_id for r in rows]),
                  buckets=BUCKET_NAMES, unread=unread(db, who))


def _names(db: Session, program_ids: list[str]) -> dict[str, Any]:
    return {pid: budgets.program_spec(db, pid)["name"] for pid in set(program_ids)}


@router.get("/loans/{loan_id}")
def loan_page(loan_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        v = loans.view(db, who.principal, loan_id)
    except DomainError as e:
        return error_page(request, who, e)
    return render(request, who, "funds/loan.html", v=v, name=_names(db, [v.loan.program_id])[v.loan.program_id],
                  methods=METHOD_NAMES, frequencies=FREQUENCY_NAMES, buckets=BUCKET_NAMES, allocation=ALLOCATION_NAMES,
                  unread=unread(db, who))


def _trial_balance(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
                   form: dict[str, str] | None = None, status: int = 200) -> Response:
    from onestop.funds import accounting
    from onestop.funds.ledger import KINDS

    assert who.principal is not None
    programs = budgets.budgetable_programs(db, who.principal)
    chosen = (form or {}).get("program_id") or request.query_params.get("program", "")
    chosen = chosen if chosen in dict(programs) else (programs[0][0] if programs else "")
    return render(request, who, "funds/trial_balance.html", status_code=status,
                  tb=accounting.trial_balance(db, who.principal), programs=programs, chosen=chosen,
                  mapping=accounting.mapping(db, chosen) if chosen else [], kinds=KINDS, errors=errors or [],
                  form=form or {}, unread=unread(db, who))


@router.get("/officer/funds/trial-balance")
def trial_balance(request: Request, who: CurrentActor, db: DB) -> Response:
    if (refused := _officer(request, who)) is not None:
        return refused
    return _trial_balance(request, who, db)


@router.post("/officer/funds/gl-mappings")
def set_gl_mapping(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    from onestop.funds import accounting

    if (refused := _officer(request, who)) is not None:
        return refused
    assert who.principal is not None
    given = {k: _text(form, k) for k in ("program_id", "kind", "gl_code")}
    raw_name = form.get("gl_name")
    given["gl_name"] = raw_name if isinstance(raw_name, str) else ""  # a name, not an identifier: NFC only
    try:
        with db.begin_nested():
            accounting.set_mapping(db, who.principal, given["program_id"], given["kind"], given["gl_code"],
                                   given["gl_name"])
    except DomainError as e:
        return _trial_balance(request, who, db, problems_of(e), given, 422)
    return see_other(f"/officer/funds/trial-balance?program={given['program_id']}", "flash.action_done")


from onestop.funds.settlement_pages import router as _settlement_pages  # noqa: E402  (mounted with the funds pages)

router.include_router(_settlement_pages)
