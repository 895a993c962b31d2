"""Saved searches and alerts. After every catalog change, each saved search is run again and
its owner is told about programs that match now and did not before: in the app always, by
email when the user asked for it and SMTP is configured. Emails go through the outbox
(`alerts.outbox`), like every other notification email, so the officer's catalog change never
waits on (or fails with) the mail server."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.alerts.tables import NotificationRow, SavedSearchRow
from onestop.catalog.loader import Catalog
from onestop.catalog.queries import SearchQuery, search
from onestop.catalog.search import KeywordIndex
from onestop.errors import DomainError
from onestop.platform.db import utcnow
from onestop.platform.settings import Settings

MAX_SAVED = 50
NOT_FOUND = DomainError(code="not_found", ko="저장한 검색을 찾을 수 없습니다.", en="Saved search not found.")


def save(db: Session, who: Principal, catalog: Catalog, index: KeywordIndex, name: str, query: SearchQuery,
         email: bool = False) -> SavedSearchRow:
    count = len(list(db.scalars(select(SavedSearchRow.id).where(SavedSearchRow.user_id == who.user_id))))
    if count >= MAX_SAVED:
        raise DomainError(code="too_many", field="name", ko=f"관심 검색은 {MAX_SAVED}개까지 저장할 수 있습니다.",
                          en=f"You can keep at most {MAX_SAVED} saved searches.")
    known = sorted(h.program.id for h in search(catalog, index, query))
    row = SavedSearchRow(user_id=who.user_id, name=(name.strip() or query.q or "검색")[:100],
                         query=query.model_dump(mode="json", exclude_defaults=True), known=known, email=email)
    db.add(row)
    db.flush()
    return row


def mine(db: Session, who: Principal) -> list[SavedSearchRow]:
    return list(db.scalars(select(SavedSearchRow).where(SavedSearchRow.user_id == who.user_id)
                           .order_by(SavedSearchRow.id)))


def delete(db: Session, who: Principal, search_id: int) -> None:
    row = db.get(SavedSearchRow, search_id)
    if row is None or row.user_id != who.user_id:
        raise NOT_FOUND
    db.delete(row)


def notify_new_matches(db: Session, catalog: Catalog, index: KeywordIndex, settings: Settings) -> int:
    """Run every saved search; tell owners about new matches. Returns notifications created.
    (`settings` is no longer read here: whether mail can go out is the sender's concern.)"""
    created = 0
    at = utcnow()
    for row in db.scalars(select(SavedSearchRow)):
        query = SearchQuery.model_validate(row.query)
        now = {h.program.id: h.program for h in search(catalog, index, query)}
        new = sorted(set(now) - set(row.known))
        row.known = sorted(now)
        if not new:
            continue
        names_ko = ", ".join(now[p].spec.name.ko for p in new)
        names_en = ", ".join(now[p].spec.name.en for p in new)
        note = NotificationRow(
            user_id=row.user_id, kind="new_programs",
            title_ko=f"관심 검색 '{row.name}'에 새 사업 {len(new)}건: {names_ko}"[:300],
            title_en=f"{len(new)} new program(s) for '{row.name}': {names_en}"[:300],
            link=f"/programs/{new[0]}", data={"saved_search": row.id, "programs": new},
            email_due_at=at if row.email else None,
        )
        db.add(note)
        created += 1
    db.flush()
    return created


def notifications(db: Session, who: Principal, unread_only: bool = False) -> list[NotificationRow]:
    q = select(NotificationRow).where(NotificationRow.user_id == who.user_id)
    if unread_only:
        q = q.where(NotificationRow.read_at.is_(None))
    return list(db.scalars(q.order_by(NotificationRow.id.desc()).limit(100)))


def mark_read(db: Session, who: Principal, notification_id: int | None = None) -> None:
    q = update(NotificationRow).where(NotificationRow.user_id == who.user_id, NotificationRow.read_at.is_(None))
    if notification_id is not None:
        q = q.where(NotificationRow.id == notification_id)
    db.execute(q.values(read_at=utcnow()))


def as_dict(row: SavedSearchRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "query": row.query, "email": row.email,
            "matching": len(row.known), "created_at": row.created_at.isoformat()}
