"""GL mapping per program and the trial balance by GL account (the rules are in `gl`).

An officer of a program's agency maps each kind of ledger account of the program to a GL
account of the agency's chart; accounts opened afterwards post to it (`journal` stamps the
code on an account when it opens it). The trial balance sums the accounts' posted totals per
GL code, for the programs the officer may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.audit import services as audit
from onestop.errors import DomainError
from onestop.funds import budgets, gl
from onestop.funds.ledger import KINDS, Kind
from onestop.funds.tables import AccountRow, GlMappingRow
from onestop.platform.db import utcnow
from onestop.text import text


@dataclass(frozen=True)
class MappedKind:
    kind: Kind
    gl_code: str
    name_ko: str
    name_en: str
    #: True when the program maps it; False when the default chart applies
    own: bool


def mapping(db: Session, program_id: str) -> list[MappedKind]:
    """Every kind of ledger account and the GL account the program maps it to."""
    own = {Kind(r.kind): r for r in db.scalars(select(GlMappingRow).where(GlMappingRow.program_id == program_id))}
    out = []
    for kind in Kind:
        if kind in own:
            r = own[kind]
            out.append(MappedKind(kind, r.gl_code, r.gl_name, r.gl_name, True))
        else:
            code = gl.DEFAULT[kind]
            ko, en = gl.CHART[code]
            out.append(MappedKind(kind, code, ko, en, False))
    return out


def set_mapping(db: Session, who: Principal, program_id: str, kind: str, code: str, name: str) -> GlMappingRow:
    """Map one kind of the program's ledger accounts to a GL account (officers of the program's
    agency and admins). Applies to accounts opened from now on. Raises DomainError naming the
    field for an unknown kind, a bad code or an empty name."""
    spec = budgets.program_spec(db, program_id)
    if not who.can_edit_program(spec["agency"]):
        raise DomainError(code="not_found", field="program_id", ko="사업을 찾을 수 없습니다.", en="Program not found.")
    if kind not in {k.value for k in Kind}:
        names = ", ".join(f"{k.value}({KINDS[k].ko})" for k in Kind)
        raise DomainError(code="invalid", field="kind", ko=f"장부 계정 종류를 고르세요: {names}",
                          en=f"Choose a ledger account kind: {', '.join(k.value for k in Kind)}.")
    code = gl.check_code(code)
    name = text(name).strip()[:200]
    if not name:
        raise DomainError(code="required", field="gl_name", ko="계정과목 이름을 적어 주세요.", en="Give the GL account's name.")
    row = db.scalar(select(GlMappingRow).where(GlMappingRow.program_id == program_id, GlMappingRow.kind == kind))
    before = (row.gl_code, row.gl_name) if row is not None else None
    if row is None:
        row = GlMappingRow(program_id=program_id, kind=kind, gl_code=code, gl_name=name, set_by=who.user_id,
                           set_at=utcnow())
        db.add(row)
    else:
        row.gl_code, row.gl_name, row.set_by, row.set_at = code, name, who.user_id, utcnow()
    db.flush()
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="funds.gl_mapping.set",
                 subject=f"program:{program_id}", data={"kind": kind, "gl_code": code, "gl_name": name,
                                                        "before": list(before) if before else None})
    return row


@dataclass(frozen=True)
class TrialBalance:
    lines: list[gl.TrialLine]
    #: GL code → (Korean name, English name)
    names: dict[str, tuple[str, str]]

    @property
    def debits(self) -> int:
        return sum(x.debits for x in self.lines)

    @property
    def credits(self) -> int:
        return sum(x.credits for x in self.lines)


def trial_balance(db: Session, who: Principal, program_id: str | None = None) -> TrialBalance:
    """Posted debits and credits per GL account over the programs the officer may see (or
    one of them); debits equal credits for a sound journal."""
    from onestop.catalog.services import current_specs

    specs = current_specs(db, [program_id] if program_id else None)
    visible = [pid for pid, spec in specs.items() if who.can_edit_program(spec["agency"])]
    rows = db.execute(select(AccountRow.gl_code, func.sum(AccountRow.debits_posted), func.sum(AccountRow.credits_posted))
                      .where(AccountRow.program_id.in_(visible)).group_by(AccountRow.gl_code)).all()
    lines = gl.trial_balance((code or "", int(d or 0), int(c or 0)) for code, d, c in rows)
    names = {code: gl.CHART[code] for code in gl.CHART}
    for r in db.scalars(select(GlMappingRow).where(GlMappingRow.program_id.in_(visible))):
        names.setdefault(r.gl_code, (r.gl_name, r.gl_name))
    return TrialBalance(lines, names)
