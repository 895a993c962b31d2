"""Grant settlement (정산) and clawback (환수): the rules, without a database.

A firm that received a grant or voucher settles it: it lists what it spent, line by line, each
with an evidence document (a receipt, a tax invoice), against the amount it was paid. The
officer allows each line in full or cuts it (with a reason). What the settlement recognises is
the allowed total, at most the amount paid (spending above the grant is the firm's own share);
the rest of the payment — the part not spent and the part disallowed — is clawed back: it
becomes a receivable the firm owes by a due date. The 보조금 관리에 관한 법률 (제31조 and 제33조)
is the legal frame for returning a grant's unused or improperly used part; the platform does not
compute the 가산금 (additional charge) that law allows on late or improper use (see the docs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from onestop.errors import FieldProblem
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON

#: spending categories (비목) a settlement line names: the usual heads of a 보조금 집행 plan
CATEGORIES: dict[str, tuple[str, str]] = {
    "personnel": ("인건비", "Personnel"),
    "materials": ("재료비", "Materials"),
    "outsourcing": ("외주용역비", "Outsourced services"),
    "equipment": ("장비·시설비", "Equipment and facilities"),
    "marketing": ("홍보·마케팅비", "Promotion and marketing"),
    "travel": ("여비", "Travel"),
    "other": ("기타", "Other"),
}
MAX_LINES = 50
DESCRIPTION_MAX = 300


class State(StrEnum):
    """A settlement's state: submitted (the officer reviews it), returned (to the firm, to be
    corrected and submitted again) or decided (final; a clawback follows when one is due)."""

    submitted = "submitted"
    returned = "returned"
    decided = "decided"


STATE_NAMES: dict[State, tuple[str, str]] = {
    State.submitted: ("검토 중", "Under review"),
    State.returned: ("보완 요청", "Returned for correction"),
    State.decided: ("정산 확정", "Decided"),
}


class ClawbackState(StrEnum):
    open = "open"  # owed, not yet due
    overdue = "overdue"  # owed and past its due date
    paid = "paid"  # paid back in full


CLAWBACK_NAMES: dict[ClawbackState, tuple[str, str]] = {
    ClawbackState.open: ("납부 대기", "Due"),
    ClawbackState.overdue: ("납부 기한 경과", "Overdue"),
    ClawbackState.paid: ("납부 완료", "Paid"),
}


@dataclass(frozen=True)
class Line:
    """One spending line as the firm claims it; `receipt` is whether evidence is attached."""

    category: str
    description: str
    amount: int
    receipt: bool


@dataclass(frozen=True)
class Review:
    """The officer's verdict on one line: the amount allowed (0 to the claim) and, for a cut,
    the reason."""

    allowed: int
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a decided settlement comes to, in won. `paid` = `recognised` + `clawback`;
    `clawback` = `unspent` + `disallowed`."""

    paid: int
    claimed: int
    recognised: int
    unspent: int
    disallowed: int

    @property
    def clawback(self) -> int:
        return self.unspent + self.disallowed


def check_lines(lines: Sequence[Line]) -> list[FieldProblem]:
    """The problems of a firm's settlement lines, each naming its line (`lines[N].field`):
    at least one line and at most `MAX_LINES`, a known category, a description, an amount of 1 to
    MAX_WON won, and evidence attached."""
    if not lines:
        return [FieldProblem("lines", "required", "지출 내역을 한 줄 이상 적어 주세요.", "List at least one spending line.")]
    if len(lines) > MAX_LINES:
        return [FieldProblem("lines", "too_many", f"지출 내역은 {MAX_LINES}줄까지 적을 수 있습니다.",
                             f"At most {MAX_LINES} spending lines.")]
    names = ", ".join(ko for ko, _ in CATEGORIES.values())
    names_en = ", ".join(en for _, en in CATEGORIES.values())
    out = []
    for n, line in enumerate(lines, 1):
        where = f"lines[{n}]"
        if line.category not in CATEGORIES:
            out.append(FieldProblem(f"{where}.category", "invalid", f"{n}번째 줄: 비목을 고르세요 ({names}).",
                                    f"Line {n}: choose a category ({names_en})."))
        if not line.description.strip():
            out.append(FieldProblem(f"{where}.description", "required", f"{n}번째 줄: 지출 내용을 적어 주세요.",
                                    f"Line {n}: describe the spending."))
        elif len(line.description) > DESCRIPTION_MAX:
            out.append(FieldProblem(f"{where}.description", "too_long",
                                    f"{n}번째 줄: 지출 내용은 {DESCRIPTION_MAX}자까지 적을 수 있습니다.",
                                    f"Line {n}: at most {DESCRIPTION_MAX} characters."))
        if isinstance(line.amount, bool) or not 0 < line.amount <= MAX_WON:
            out.append(FieldProblem(f"{where}.amount", "invalid",
                                    f"{n}번째 줄: 금액 {josa(f'{line.amount:,}원', '은')} 받을 수 없습니다. "
                                    f"1원 이상 {MAX_WON:,}원 이하로 적어 주세요.",
                                    f"Line {n}: an amount of KRW {line.amount:,} is not allowed; give 1 to {MAX_WON:,} won."))
        if not line.receipt:
            out.append(FieldProblem(f"{where}.receipt", "required",
                                    f"{n}번째 줄: 증빙 서류(영수증, 세금계산서 등)를 첨부해 주세요.",
                                    f"Line {n}: attach the evidence (a receipt, a tax invoice)."))
    return out


def check_reviews(lines: Sequence[Line], reviews: Sequence[Review]) -> list[FieldProblem]:
    """The problems of an officer's review: one verdict per line, each allowing 0 to the amount
    claimed, and a reason for every cut."""
    if len(reviews) != len(lines):
        return [FieldProblem("lines", "invalid", "모든 줄을 검토해 주세요.", "Review every line.")]
    out = []
    for n, (line, review) in enumerate(zip(lines, reviews, strict=True), 1):
        where = f"lines[{n}]"
        if isinstance(review.allowed, bool) or not 0 <= review.allowed <= line.amount:
            out.append(FieldProblem(f"{where}.allowed", "invalid",
                                    f"{n}번째 줄: 인정액은 0원 이상 청구액 {line.amount:,}원 이하여야 합니다.",
                                    f"Line {n}: the amount allowed must be 0 to the KRW {line.amount:,} claimed."))
        elif review.allowed < line.amount and not review.reason.strip():
            out.append(FieldProblem(f"{where}.reason", "required",
                                    f"{n}번째 줄: 삭감한 이유를 적어 주세요.", f"Line {n}: give the reason for the cut."))
    return out


def outcome(paid: int, lines: Sequence[Line], reviews: Sequence[Review]) -> Outcome:
    """What the settlement recognises and what is clawed back. Spending is counted up to the
    amount paid: `unspent` is the part of the payment no claim covers, `disallowed` the part of
    the claims within the payment that the officer cut."""
    claimed = sum(line.amount for line in lines)
    allowed = sum(r.allowed for r in reviews)
    covered = min(claimed, paid)
    recognised = min(allowed, paid)
    return Outcome(paid=paid, claimed=claimed, recognised=recognised, unspent=paid - covered,
                   disallowed=covered - recognised)


def clawback_state(amount: int, repaid: int, due_on: date, on: date) -> ClawbackState:
    """Paid once `repaid` covers `amount`; else overdue after the due date, open until then."""
    if repaid >= amount:
        return ClawbackState.paid
    return ClawbackState.overdue if on > due_on else ClawbackState.open


def days_overdue(amount: int, repaid: int, due_on: date, on: date) -> int:
    """Days since the due date while something is still owed (0 otherwise)."""
    return max(0, (on - due_on).days) if repaid < amount else 0
