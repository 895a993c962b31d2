"""Evaluation use cases: a firm's statements (save a new version, read, history), the credit
model's recommendation for an application (computed once at submission and stored exactly as
shown), and the officer's decision recorded beside it.

The model recommends; the officer decides. A firm with no statements, or an application met by a
missing or unknown model version, is routed to a person: it gets no score and no band, and the
reason is recorded (`RecommendationRow.routed`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.audit import services as audit
from onestop.errors import DomainError
from onestop.evaluation import artifacts
from onestop.evaluation.scoring import BAND, Factor, Missing, Recommendation
from onestop.evaluation.statements import Statements, parse_statements
from onestop.evaluation.tables import RecommendationRow, StatementRow
from onestop.firms import services as firms
from onestop.platform.db import utcnow

log = logging.getLogger(__name__)

ROUTED = {
    "no_statements": ("재무제표가 없어 모형 점수 없이 담당자가 직접 검토합니다.",
                      "No statements on file: no model score; a person reviews the application."),
    "model_unavailable": ("신용평가 모형을 불러올 수 없어 담당자가 직접 검토합니다.",
                          "The credit model could not be loaded: a person reviews the application."),
}


# ── statements ──────────────────────────────────────────────────────────────────────────────

def save_statements(db: Session, who: Principal, firm_id: int, data: Any, source: str = "api") -> StatementRow:
    """A new version of the firm's statements, after every check (`statements.parse_statements`).

    Raises DomainError: not_found when `who` may not see the firm, statements_invalid with one
    problem per field otherwise. Nothing is written when a check fails."""
    firms.get(db, who, firm_id)
    parsed = parse_statements(data)
    return _append(db, firm_id, parsed, source, who.user_id)


def _append(db: Session, firm_id: int, parsed: Statements, source: str, user_id: int | None) -> StatementRow:
    from onestop.firms.tables import FirmRow

    # versions are numbered under the firm's row lock (PostgreSQL): two saves at once get 1 and 2
    db.execute(select(FirmRow.id).where(FirmRow.id == firm_id).with_for_update())
    version = (db.scalar(select(func.max(StatementRow.version)).where(StatementRow.firm_id == firm_id)) or 0) + 1
    row = StatementRow(firm_id=firm_id, version=version, years=parsed.as_json(), source=source, created_by=user_id)
    db.add(row)
    db.flush()
    audit.record(db, actor="firm" if user_id else "system", actor_user_id=user_id, action="statements.save",
                 subject=f"firm:{firm_id}", data={"version": version, "years": [y.year for y in parsed.years],
                                                  "source": source})
    return row


def seed_statements(db: Session, firm_id: int, data: Any) -> StatementRow:
    """Demo data: the same checks, written by the system."""
    return _append(db, firm_id, parse_statements(data), "demo", None)


def latest_statements(db: Session, firm_id: int) -> StatementRow | None:
    return db.scalars(select(StatementRow).where(StatementRow.firm_id == firm_id)
                      .order_by(StatementRow.version.desc()).limit(1)).first()


def statements_of(db: Session, who: Principal, firm_id: int, version: int | None = None) -> StatementRow | None:
    """The firm's latest statements (or `version`), None when it has none; not_found when hidden."""
    firms.get(db, who, firm_id)
    if version is None:
        return latest_statements(db, firm_id)
    return db.scalars(select(StatementRow).where(StatementRow.firm_id == firm_id, StatementRow.version == version)).first()


def history(db: Session, who: Principal, firm_id: int) -> list[StatementRow]:
    firms.get(db, who, firm_id)
    return list(db.scalars(select(StatementRow).where(StatementRow.firm_id == firm_id).order_by(StatementRow.version.desc())))


def parsed(row: StatementRow) -> Statements:
    return parse_statements(row.years)


# ── recommendations ─────────────────────────────────────────────────────────────────────────

def _from_row(row: RecommendationRow) -> Recommendation | None:
    if row.routed is not None or row.score is None or row.band is None or row.model_version is None:
        return None
    e = row.explanation or {}
    return Recommendation(
        score=row.score, band=row.band, model_version=row.model_version, probability=row.probability or 0.0,
        factors=tuple(Factor(f["feature"], f.get("value"), f["contribution"], f["ko"], f["en"]) for f in e.get("factors", [])),
        missing=tuple(Missing(m["feature"], m["ko"], m["en"]) for m in e.get("missing", [])),
        statements_version=row.statements_version)


def assess(db: Session, application_id: int, firm_id: int) -> RecommendationRow:
    """Score the application's firm on its latest statements now and store what is shown (once:
    a second call returns the stored row). Never raises for a missing model: routes instead."""
    existing = db.scalars(select(RecommendationRow).where(RecommendationRow.application_id == application_id)).first()
    if existing is not None:
        return existing
    statements = latest_statements(db, firm_id)
    row = RecommendationRow(application_id=application_id, firm_id=firm_id, explanation={})
    if statements is None:
        row.routed = "no_statements"
    else:
        row.statements_version = statements.version
        try:
            rec = artifacts.load().recommend(parsed(statements), statements_version=statements.version)
        except artifacts.ModelUnavailable as e:
            log.warning("application %s routed to a person: %s", application_id, e.en)
            row.routed = "model_unavailable"
            row.explanation = {"error": {"code": e.code, "ko": e.ko, "en": e.en}}
        else:
            row.model_version, row.score, row.band, row.probability = rec.model_version, rec.score, rec.band, rec.probability
            row.explanation = {"factors": [f.as_dict() for f in rec.factors], "missing": [m.as_dict() for m in rec.missing]}
    db.add(row)
    db.flush()
    audit.record(db, actor="system", actor_user_id=None, action="evaluation.recommend",
                 subject=f"application:{application_id}",
                 data={"band": row.band, "score": row.score, "model_version": row.model_version,
                       "statements_version": row.statements_version, "routed": row.routed})
    return row


def on_application_submitted(db: Session, engine: Any, row: Any) -> None:
    """Hook (platform.hooks.APPLICATION_SUBMITTED): store the recommendation as shown at submission."""
    assess(db, row.id, row.firm_id)


def recommendation_for(session: Session, application_id: int) -> Recommendation | None:
    """The model's recommendation for an application: score, band, model version, factors and
    missing inputs, exactly as stored at submission (computed now if it was never assessed).

    None means *routed to a person*: the firm has no statements, or the model file is missing or
    of an unknown version. Raises DomainError(not_found) for an unknown application. Bands are
    documented in `scoring` (A ≥ 980, B 950–979, C 850–949, D < 850; A and B may fast-track)."""
    from onestop.applications.tables import ApplicationRow

    app = session.get(ApplicationRow, application_id)
    if app is None:
        raise DomainError(code="not_found", ko="신청을 찾을 수 없습니다.", en="Application not found.")
    return _from_row(assess(session, application_id, app.firm_id))


def stored(db: Session, application_id: int) -> RecommendationRow | None:
    return db.scalars(select(RecommendationRow).where(RecommendationRow.application_id == application_id)).first()


def followed(band: str | None, decision: str) -> bool | None:
    """Whether a decision followed the band: A/B recommend approval-leaning review, C/D scrutiny
    (a rejection follows them). None when there was no band (routed to a person)."""
    if band is None or band not in BAND:
        return None
    favourable = BAND[band].fast_track
    return (decision == "approved") == favourable


def record_decision(db: Session, application_id: int, decision: str, at: datetime | None = None) -> None:
    """Write the officer's decision beside the recommendation that was shown (called by the
    applications service on approve and reject)."""
    row = stored(db, application_id)
    if row is None:
        return
    row.decision, row.decided_at = decision, at or utcnow()
    row.followed = followed(row.band, decision)


@dataclass(frozen=True)
class View:
    """What the officer's and the firm's pages show: the recommendation or why there is none."""

    recommendation: Recommendation | None
    routed_ko: str | None
    routed_en: str | None
    row: RecommendationRow | None


def view(db: Session, application_id: int) -> View:
    row = stored(db, application_id)
    if row is None:
        return View(None, None, None, None)
    if row.routed:
        ko, en = ROUTED.get(row.routed, ROUTED["model_unavailable"])
        return View(None, ko, en, row)
    return View(_from_row(row), None, None, row)


#: states after a decision: from then on the firm sees the recommendation beside the decision
DECIDED = frozenset({"approved", "rejected", "waitlisted", "agreement_signed", "executed", "outcome_reporting", "closed"})


def for_application(db: Session, who: Principal, application_id: int) -> tuple[View, StatementRow | None, bool]:
    """The recommendation of an application as `who` may see it, the statements version it was
    judged on, and whether `who` is a member of the firm.

    Officers of the program's agency and assigned evaluators see it while reviewing; the firm sees
    it once the decision is made (with the decision). Raises DomainError(not_found) otherwise."""
    from onestop.applications import services as applications
    from onestop.applications.lifecycle import Actor

    app, actor = applications.get(db, who, application_id)
    is_firm = actor == Actor.firm
    if is_firm and app.state not in DECIDED:
        return View(None, None, None, None), None, True
    v = view(db, application_id)
    statements = None
    if v.row is not None and v.row.statements_version is not None:
        statements = db.scalars(select(StatementRow).where(StatementRow.firm_id == app.firm_id,
                                                           StatementRow.version == v.row.statements_version)).first()
    return v, statements, is_firm


# ── fairness and drift ──────────────────────────────────────────────────────────────────────

DIMENSIONS = {
    "capital_area": ("수도권 여부", "Capital area"),
    "firm_age": ("업력", "Firm age"),
    "ceo_age": ("대표자 연령", "CEO age"),
    "size": ("기업 규모", "Size class"),
}
GROUP_NAMES: dict[str, tuple[str, str]] = {
    "capital": ("수도권", "Capital area"), "non_capital": ("비수도권", "Outside the capital area"),
    "small": ("소기업", "Small"), "medium": ("중기업", "Medium"), "non_sme": ("중소기업 아님", "Not an SME"),
    "unknown": ("알 수 없음", "Unknown"),
}


def _require_staff(who: Principal) -> None:
    from onestop.accounts.model import Role

    if who.role not in (Role.officer, Role.admin):
        raise DomainError(code="forbidden", ko="기관 담당자만 볼 수 있습니다.", en="Only agency officers can see this.")


def monitoring(db: Session, who: Principal, on: datetime | None = None) -> dict[str, Any]:
    """Fairness tables by group and drift (PSI) of live scores and ratios against the training data,
    over the scored applications of the officer's agency (every agency for an administrator).

    Raises DomainError(forbidden) for anyone but officers and administrators; ModelUnavailable when
    no model is installed (there is nothing to compare with)."""
    from onestop.accounts.model import Role
    from onestop.applications.tables import ApplicationRow
    from onestop.evaluation import fairness, ratios
    from onestop.firms.facts import size_of
    from onestop.firms.tables import FirmRow
    from onestop.korea.regions import is_capital_area

    _require_staff(who)
    today = (on or utcnow()).date()
    q = (select(RecommendationRow, FirmRow, ApplicationRow.agency_id)
         .join(FirmRow, FirmRow.id == RecommendationRow.firm_id)
         .join(ApplicationRow, ApplicationRow.id == RecommendationRow.application_id)
         .where(RecommendationRow.score.is_not(None)))
    if who.role != Role.admin:
        q = q.where(ApplicationRow.agency_id == who.agency_id)
    rows: list[dict[str, Any]] = []
    ratio_rows: list[dict[str, float | None]] = []
    model_versions: set[str] = set()
    for rec, firm, _agency in db.execute(q):
        profile = firms.profile_of(firm)
        ceo_age = fairness.years_between(profile.ceo_birth_date, today) if profile.ceo_birth_date else None
        try:
            size = size_of(profile, today).size_class or "unknown"
        except DomainError:
            size = "unknown"
        rows.append({"score": rec.score, "band": rec.band, "decision": rec.decision,
                     "capital_area": "capital" if is_capital_area(firm.region) else "non_capital",
                     "firm_age": fairness.band_of_age(fairness.years_between(profile.founded_on, today), fairness.FIRM_AGE_BANDS),
                     "ceo_age": fairness.band_of_age(ceo_age, fairness.CEO_AGE_BANDS), "size": str(size)})
        model_versions.add(rec.model_version or "")
        statements = db.scalars(select(StatementRow).where(StatementRow.firm_id == rec.firm_id,
                                                           StatementRow.version == rec.statements_version)).first()
        if statements is not None:
            ratio_rows.append(ratios.compute(parsed(statements)))
    model = artifacts.load()
    card = model.card
    enough = len(rows) >= fairness.MIN_PSI_COUNT
    score_psi = fairness.psi(card["score_shares"], fairness.shares([r["score"] for r in rows], card["score_edges"])) if enough else None
    drift = []
    for f in card["features"]:
        if len(ratio_rows) < fairness.MIN_PSI_COUNT or not f["psi_edges"]:
            continue
        value = fairness.psi(f["psi_shares"], fairness.shares([r.get(f["key"]) for r in ratio_rows], f["psi_edges"]))
        drift.append({"key": f["key"], "ko": f["ko"], "en": f["en"], "psi": round(value, 3), "level": fairness.level(value)})
    drift.sort(key=lambda d: -d["psi"])
    names = dict(GROUP_NAMES)
    for bands in (fairness.CEO_AGE_BANDS, fairness.FIRM_AGE_BANDS):
        names.update({b[0]: (b[3], b[4]) for b in bands})
    return {
        "count": len(rows), "model_version": model.version, "live_model_versions": sorted(model_versions),
        "groups": {d: fairness.group_table(rows, d) for d in DIMENSIONS}, "names": names,
        "score_histogram": _histogram([r["score"] for r in rows]),
        "score_psi": None if score_psi is None else round(score_psi, 3),
        "score_level": None if score_psi is None else fairness.level(score_psi),
        "drift": drift, "min_count": fairness.MIN_COUNT, "min_psi_count": fairness.MIN_PSI_COUNT,
    }


def _histogram(scores: list[int]) -> list[dict[str, Any]]:
    """Counts of scores in bins of 50 points (0–1000)."""
    counts = [0] * 20
    for s in scores:
        counts[min(s // 50, 19)] += 1
    return [{"from": i * 50, "to": i * 50 + 49 if i < 19 else 1000, "count": c} for i, c in enumerate(counts)]
