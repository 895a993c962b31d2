"""Consent items of sign-up (이용약관, 개인정보 수집·이용, optional items), their versioned
texts (`data/terms/`), and the record of every answer with its time, version and address.

개인정보 보호법 제22조 wants each item asked separately with required and optional items told
apart; 제15조 제2항 what the privacy item must say; 정보통신망법 제50조 a prior opt-in for
promotional email. An answer is a row, never an update: what someone agreed to, and when, stays
visible after the texts are revised."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts.tables import ConsentRow
from onestop.errors import DomainError, FieldProblem
from onestop.korea._data import data_path
from onestop.korea.hangul import josa
from onestop.platform.db import utcnow


@dataclass(frozen=True)
class Item:
    id: str
    required: bool
    name_ko: str
    name_en: str
    current: str

    def text(self, lang: str, version: str | None = None) -> str:
        """The item's text (Markdown) of a version, in Korean or English."""
        return text(self.id, version or self.current, lang)


@lru_cache(maxsize=1)
def items() -> tuple[Item, ...]:
    raw = yaml.safe_load(data_path("terms", "consents.yaml").read_text(encoding="utf-8"))
    return tuple(Item(i["id"], bool(i["required"]), i["name"]["ko"], i["name"]["en"], str(i["current"]))
                 for i in raw["items"])


def item(item_id: str) -> Item:
    for found in items():
        if found.id == item_id:
            return found
    raise DomainError(code="consent_unknown", field="consents",
                      ko=f"동의 항목 {item_id!r}는 없습니다. 가능한 항목: {', '.join(i.id for i in items())}",
                      en=f"There is no consent item {item_id!r}; known: {', '.join(i.id for i in items())}.")


@lru_cache(maxsize=32)
def text(item_id: str, version: str, lang: str) -> str:
    node = data_path("terms", item_id, f"{version}.{'en' if lang == 'en' else 'ko'}.md")
    if not node.is_file():
        raise DomainError(code="not_found", ko=f"약관 {item_id} {version}판을 찾을 수 없습니다.",
                          en=f"Terms {item_id} version {version} not found.")
    return node.read_text(encoding="utf-8")


def html(item_id: str, version: str, lang: str) -> str:
    """The text as HTML (Markdown with tables; any HTML in the files is escaped)."""
    from markdown_it import MarkdownIt

    rendered: str = MarkdownIt("commonmark", {"html": False}).enable("table").render(text(item_id, version, lang))
    return rendered


def check(agreed: Mapping[str, str]) -> list[FieldProblem]:
    """Problems with sign-up answers: `agreed` maps each item agreed to → the version shown.
    Every required item must be agreed to in its current version; unknown items are refused."""
    known = {i.id for i in items()}
    out = [FieldProblem(f"consents.{k}", "consent_unknown", f"동의 항목 {k!r}는 없습니다.", f"Unknown consent item {k!r}.")
           for k in agreed if k not in known]
    for i in items():
        version = agreed.get(i.id)
        if i.required and version is None:
            out.append(FieldProblem(f"consents.{i.id}", "consent_required",
                                    f"[필수] {i.name_ko}에 동의해야 가입할 수 있습니다.",
                                    f"You must agree to the {i.name_en} (required) to sign up."))
        elif version is not None and version != i.current:
            out.append(FieldProblem(f"consents.{i.id}", "consent_version",
                                    f"{josa(i.name_ko, '이')} {i.current}판으로 바뀌었습니다. 바뀐 내용을 읽고 다시 동의해 주세요.",
                                    f"The {i.name_en} changed (version {i.current}); read it and agree again."))
    return out


def record(db: Session, user_id: int, agreed: Mapping[str, str], ip: str = "") -> list[ConsentRow]:
    """One row per item: agreed ones with their version, optional ones not agreed as declined."""
    now = utcnow()
    rows = [ConsentRow(user_id=user_id, item=i.id, version=i.current, agreed=i.id in agreed, at=now, ip=ip[:64])
            for i in items()]
    db.add_all(rows)
    return rows


def latest(db: Session, user_id: int) -> dict[str, ConsentRow]:
    """Each item's latest answer."""
    rows = db.scalars(select(ConsentRow).where(ConsentRow.user_id == user_id).order_by(ConsentRow.id))
    return {r.item: r for r in rows}


def change(db: Session, user_id: int, item_id: str, agreed: bool, ip: str = "") -> ConsentRow:
    """Give or withdraw an optional consent (a required one is withdrawn by leaving)."""
    found = item(item_id)
    if found.required:
        raise DomainError(code="consent_required", field=f"consents.{item_id}",
                          ko=f"{josa(found.name_ko, '은')} 필수 항목이라 철회하려면 회원 탈퇴를 해야 합니다.",
                          en=f"The {found.name_en} is required; withdrawing it means leaving the service.")
    row = ConsentRow(user_id=user_id, item=found.id, version=found.current, agreed=agreed, at=utcnow(), ip=ip[:64])
    db.add(row)
    db.flush()
    return row
