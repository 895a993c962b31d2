"""Evaluation endpoints: a firm's statements (JSON or the XLSX template), an application's
recommendation, and the model's card and metrics."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from onestop.errors import DomainError
from onestop.evaluation import artifacts, ratios, services, xlsx
from onestop.evaluation.tables import StatementRow
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, MAX_ID, CurrentActor, PathId, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatementsIn(BaseModel):
    years: list[dict[str, Any]] = Field(max_length=3, description=(
        "up to three fiscal years, each {year, revenue, cost_of_sales, operating_profit, interest_expense, net_income, "
        "depreciation, total_assets, current_assets, inventory, receivables, total_liabilities, current_liabilities, "
        "total_equity, retained_earnings} in integer won"))


def statements_out(row: StatementRow) -> dict[str, Any]:
    values = ratios.compute(services.parsed(row))
    return {"firm_id": row.firm_id, "version": row.version, "years": row.years, "source": row.source,
            "created_at": row.created_at.isoformat(),
            "ratios": [{"key": r.key, "attr": r.attr, "ko": r.ko, "en": r.en, "value": values[r.key]} for r in ratios.RATIOS]}


@router.get("/firms/{firm_id}/statements", response_model=dict[str, Any], summary="The firm's latest statements and ratios")
def get_statements(firm_id: PathId, who: CurrentActor, db: DB,
                   version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> dict[str, Any]:
    row = services.statements_of(db, who.require(), firm_id, version)
    if row is None:
        raise DomainError(code="not_found", ko="저장된 재무제표가 없습니다.", en="No statements are on file.")
    return statements_out(row)


@router.put("/firms/{firm_id}/statements", response_model=dict[str, Any],
            summary="Save a new version of the firm's statements (every check; nothing saved on an error)")
def put_statements(firm_id: PathId, body: StatementsIn, who: CurrentActor, db: DB) -> dict[str, Any]:
    return statements_out(services.save_statements(db, who.require(), firm_id, {"years": body.years}, "api"))


@router.get("/firms/{firm_id}/statements/history", response_model=list[dict[str, Any]], summary="Every version, newest first")
def statements_history(firm_id: PathId, who: CurrentActor, db: DB) -> list[dict[str, Any]]:
    return [{"version": r.version, "years": [y["year"] for y in r.years], "source": r.source,
             "created_at": r.created_at.isoformat()} for r in services.history(db, who.require(), firm_id)]


@router.get("/statements/template.xlsx", summary="The XLSX template for statements (the last three fiscal years)",
            response_class=Response)
def template() -> Response:
    year = dt.date.today().year - 1
    return Response(xlsx.template([year, year - 1, year - 2]), media_type=XLSX_TYPE,
                    headers={"Content-Disposition": "attachment; filename=\"statements-template.xlsx\""})


@router.post("/firms/{firm_id}/statements/xlsx", response_model=dict[str, Any], status_code=201,
             summary="Upload the filled-in XLSX template (a new version; nothing saved on an error)")
def upload_statements(firm_id: PathId, who: CurrentActor, db: DB, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    p = who.require()
    data = file.file.read(xlsx.MAX_BYTES + 1)
    return statements_out(services.save_statements(db, p, firm_id, {"years": xlsx.read(data)}, "xlsx"))


@router.get("/applications/{app_id}/recommendation", response_model=dict[str, Any],
            summary="The model's recommendation shown for an application (officers; the firm after the decision)")
def recommendation(app_id: PathId, who: CurrentActor, db: DB) -> dict[str, Any]:
    v, statements, _ = services.for_application(db, who.require(), app_id)
    row = v.row
    return {"application_id": app_id,
            "recommendation": v.recommendation.as_dict() if v.recommendation else None,
            "routed": None if v.routed_en is None else {"ko": v.routed_ko, "en": v.routed_en},
            "statements_version": statements.version if statements else None,
            "decision": row.decision if row else None, "followed": row.followed if row else None}


@router.get("/model", response_model=dict[str, Any], summary="The credit model in use: version, data, metrics")
def model_card() -> dict[str, Any]:
    model = artifacts.load()
    card = model.card
    return {k: card[k] for k in ("version", "trained_at", "horizon_years", "data", "cv", "metrics")} | {
        "features": [{k: f[k] for k in ("key", "attr", "ko", "en", "formula_ko", "formula_en", "note")} for f in card["features"]]}
