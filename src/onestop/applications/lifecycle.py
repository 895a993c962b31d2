"""The application lifecycle as an explicit state machine: who may move an application from
which state to which, and what must hold. Pure: services check the guards' facts and call
`transition`, which refuses anything the machine does not allow with a clear message.

`docs/applications-lifecycle.md` is generated from this module (`onestop docs lifecycle`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from onestop.errors import DomainError


class State(StrEnum):
    draft = "draft"
    submitted = "submitted"
    document_check = "document_check"
    supplement_requested = "supplement_requested"
    resubmitted = "resubmitted"
    evaluation = "evaluation"
    approved = "approved"
    rejected = "rejected"
    waitlisted = "waitlisted"
    agreement_signed = "agreement_signed"
    executed = "executed"
    outcome_reporting = "outcome_reporting"
    closed = "closed"
    withdrawn = "withdrawn"
    expired = "expired"


class Actor(StrEnum):
    firm = "firm"  # an owner or staff member of the applying firm
    officer = "officer"  # an officer of the program's agency
    evaluator = "evaluator"
    system = "system"  # scheduled jobs (deadlines)


STATE_NAMES: dict[State, tuple[str, str]] = {
    State.draft: ("작성 중", "Draft"),
    State.submitted: ("접수", "Submitted"),
    State.document_check: ("서류 검토", "Document check"),
    State.supplement_requested: ("보완 요청", "Supplement requested"),
    State.resubmitted: ("보완 제출", "Resubmitted"),
    State.evaluation: ("평가", "Evaluation"),
    State.approved: ("선정", "Approved"),
    State.rejected: ("미선정", "Rejected"),
    State.waitlisted: ("예비 선정", "Waitlisted"),
    State.agreement_signed: ("약정 체결", "Agreement signed"),
    State.executed: ("집행 완료", "Executed"),
    State.outcome_reporting: ("성과 보고", "Outcome reporting"),
    State.closed: ("종료", "Closed"),
    State.withdrawn: ("신청 철회", "Withdrawn"),
    State.expired: ("기한 만료", "Expired"),
}

#: States in which an application still occupies the firm's one open slot for a program.
OPEN = frozenset({State.draft, State.submitted, State.document_check, State.supplement_requested,
                  State.resubmitted, State.evaluation, State.waitlisted, State.approved,
                  State.agreement_signed, State.executed, State.outcome_reporting})
FINAL = frozenset(State) - OPEN


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[State]
    target: State
    actors: frozenset[Actor]
    ko: str
    en: str
    #: what must hold, in words (checked by the services; shown in the diagram)
    requires: str = ""


def _t(action: str, sources: set[State], target: State, actors: set[Actor], ko: str, en: str,
       requires: str = "") -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), ko, en, requires)


_WITHDRAWABLE = {State.draft, State.submitted, State.document_check, State.supplement_requested,
                 State.resubmitted, State.evaluation, State.waitlisted, State.approved}

TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", {State.draft}, State.submitted, {Actor.firm}, "신청서 제출", "Submit",
       "window open; every required document uploaded; eligibility re-checked and stored"),
    _t("start_check", {State.submitted}, State.document_check, {Actor.officer}, "서류 검토 시작",
       "Start document check"),
    _t("request_supplement", {State.document_check, State.resubmitted}, State.supplement_requested,
       {Actor.officer}, "보완 요청", "Request a supplement", "a reason for each document asked for"),
    _t("resubmit", {State.supplement_requested}, State.resubmitted, {Actor.firm}, "보완 서류 제출",
       "Resubmit", "a new version of every document asked for"),
    _t("documents_ok", {State.document_check, State.resubmitted}, State.evaluation, {Actor.officer},
       "서류 적합, 평가로", "Documents complete: to evaluation"),
    _t("approve", {State.evaluation, State.waitlisted}, State.approved, {Actor.officer}, "선정", "Approve",
       "eligible at submission, or an officer's override with a written reason"),
    _t("reject", {State.evaluation}, State.rejected, {Actor.officer}, "미선정", "Reject", "a written reason"),
    _t("waitlist", {State.evaluation}, State.waitlisted, {Actor.officer}, "예비 선정", "Waitlist"),
    _t("sign", {State.approved}, State.agreement_signed, {Actor.firm}, "전자약정 서명", "Sign the agreement",
       "consent to the agreement document, by the firm's owner"),
    _t("execute", {State.agreement_signed}, State.executed, {Actor.officer}, "집행(지급·서비스 제공)",
       "Execute (disburse or deliver)"),
    _t("request_outcome", {State.executed}, State.outcome_reporting, {Actor.officer, Actor.system},
       "성과 보고 요청", "Request the outcome report"),
    _t("close", {State.outcome_reporting, State.rejected}, State.closed, {Actor.officer}, "종료", "Close"),
    _t("withdraw", _WITHDRAWABLE, State.withdrawn, {Actor.firm}, "신청 철회", "Withdraw",
       "once approved: only the firm's owner, confirming that the award is given up"),
    _t("expire", {State.draft, State.supplement_requested}, State.expired, {Actor.system}, "기한 만료",
       "Expire", "the deadline has passed"),
)

BY_ACTION = {t.action: t for t in TRANSITIONS}


def allowed(state: State, actor: Actor) -> list[Transition]:
    """What this actor may do from this state."""
    return [t for t in TRANSITIONS if state in t.sources and actor in t.actors]


def transition(state: State, action: str, actor: Actor) -> Transition:
    """The transition to take, or a DomainError saying why not (in Korean and English)."""
    t = BY_ACTION.get(action)
    if t is None:
        raise DomainError(code="unknown_action", field="action",
                          ko=f"알 수 없는 처리입니다: {action}. 가능한 처리: {', '.join(BY_ACTION)}",
                          en=f"Unknown action {action!r}; known: {', '.join(BY_ACTION)}.")
    ko_state, en_state = STATE_NAMES[state]
    if state not in t.sources:
        here = [x.action for x in TRANSITIONS if state in x.sources]
        raise DomainError(
            code="illegal_transition", field="action",
            ko=f"'{ko_state}' 상태에서는 '{t.ko}'를 할 수 없습니다. 지금 가능한 처리: {', '.join(here) or '없음'}",
            en=f"Cannot {t.en.lower()} an application that is {en_state.lower()}; "
               f"possible now: {', '.join(here) or 'nothing'}.")
    if actor not in t.actors:
        who = ", ".join(a.value for a in sorted(t.actors))
        raise DomainError(code="forbidden", field="action",
                          ko=f"'{t.ko}'는 {who}만 할 수 있습니다.",
                          en=f"Only {who} may {t.en.lower()}.")
    return t


def mermaid() -> str:
    """The machine as a Mermaid state diagram (docs are generated from this)."""
    lines = ["stateDiagram-v2", "    [*] --> draft"]
    for t in TRANSITIONS:
        actors = "/".join(a.value for a in sorted(t.actors))
        for s in sorted(t.sources):
            lines.append(f"    {s.value} --> {t.target.value}: {t.action} ({actors})")
    lines += [f"    {s.value} --> [*]" for s in sorted(FINAL)]
    return "\n".join(lines)


def markdown() -> str:
    rows = "\n".join(
        f"| `{t.action}` | {', '.join(f'`{s.value}`' for s in sorted(t.sources))} | `{t.target.value}` | "
        f"{', '.join(a.value for a in sorted(t.actors))} | {t.ko} / {t.en} | {t.requires or '—'} |"
        for t in TRANSITIONS
    )
    states = "\n".join(f"| `{s.value}` | {ko} | {en} | {'open' if s in OPEN else 'final'} |"
                       for s, (ko, en) in STATE_NAMES.items())
    return (
        "# The application lifecycle\n\n"
        "Generated from `src/onestop/applications/lifecycle.py` by `onestop docs lifecycle`; "
        "do not edit by hand (a test checks it is current).\n\n"
        "```mermaid\n" + mermaid() + "\n```\n\n"
        "| state | 한국어 | English | |\n|---|---|---|---|\n" + states + "\n\n"
        "| action | from | to | who | | what must hold |\n|---|---|---|---|---|---|\n" + rows + "\n"
    )
