"""Schema migrations with Alembic, run from Python (`onestop db upgrade`), and the start-up check
that refuses to serve an unmigrated database."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from onestop.errors import DomainError


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("onestop.platform") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> str:
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    return head_revision(url)


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_migrated(engine: Engine, url: str) -> str:
    """Return the schema revision, or raise saying which command to run."""
    current = current_revision(engine)
    head = head_revision(url)
    if current != head:
        raise DomainError(
            code="database_not_migrated",
            field="database",
            ko=(f"데이터베이스 스키마가 최신이 아닙니다(현재 {current or '없음'}, 필요 {head}). "
                "먼저 `onestop db upgrade`를 실행하세요."),
            en=(f"The database schema is not up to date (at {current or 'none'}, need {head}). "
                "Run `onestop db upgrade` first."),
        )
    return head
