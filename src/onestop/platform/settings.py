"""Configuration from the environment (ONESTOP_*), with zero-setup defaults for a laptop."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def data_dir() -> Path:
    path = Path(user_data_dir("onestop", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _default_db() -> str:
    return f"sqlite:///{data_dir() / 'onestop.db'}"


def _default_secret() -> str:
    """A random key kept beside the database, so sessions survive restarts on a laptop."""
    path = data_dir() / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONESTOP_", extra="ignore")

    database_url: str = Field(default_factory=_default_db)
    secret_key: str = Field(default_factory=_default_secret)
    base_url: str = "http://127.0.0.1:8000"
    #: Cookies marked Secure need HTTPS; off for the laptop default.
    secure_cookies: bool = False
    session_days: int = 14
    login_max_failures: int = 5
    login_window_minutes: int = 15
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "onestop@localhost"
    smtp_starttls: bool = False
    #: seconds between two runs of the web app's email sender (the outbox drain); the delay a
    #: user may wait for a notification email, against one small query per interval when idle
    mail_interval: float = Field(default=5.0, gt=0)
    #: seconds between two anchors of the audit log (each worker tries; one anchors): how long a
    #: record may stay committed only by its chain's head row; 0 leaves anchoring to cron
    #: (`onestop audit anchor`)
    audit_anchor_interval: float = Field(default=10.0, ge=0)
    #: seconds between two looks for a catalog revision whose recommendations are to be
    #: recomputed in the background (each worker looks; each firm is done once); 0 leaves it to
    #: cron (`onestop recommendations refresh`)
    recommendation_refresh_interval: float = Field(default=5.0, ge=0)
    #: build the catalog engine, the Korean search index (kiwipiepy, a few seconds), the
    #: registry's facts and the page templates at start-up, before the server takes traffic,
    #: so the first visitor is not the one who waits
    warm_search: bool = True
    upload_dir: Path = Field(default_factory=lambda: data_dir() / "uploads")
    #: documents go to this S3-compatible bucket instead of upload_dir when set
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_prefix: str = "documents/"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
