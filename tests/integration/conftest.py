"""A migrated database with the shipped catalog and a small demo registry, on SQLite always and
on PostgreSQL when ONESTOP_TEST_POSTGRES_URL is set (CI sets it and fails if it cannot connect)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.catalog.loader import shipped_catalog
from onestop.catalog.services import import_catalog
from onestop.demo.seed import seed
from onestop.korea.brn import check_digit
from onestop.platform.app import create_app
from onestop.platform.db import Database
from onestop.platform.migrate import upgrade
from onestop.platform.settings import Settings


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own PostgreSQL database (`test_gw0`, `test_gw1`, …,
    created on first use beside the configured one), since every session resets its schema."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    import sqlalchemy as sa

    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = _worker_database(os.environ.get("ONESTOP_TEST_POSTGRES_URL"))
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def prepared_database(kind: str, tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'onestop.db'}" if kind == "sqlite" else str(PG_URL)
    if kind == "postgresql":
        reset_postgres(url)
    upgrade(url)
    db = Database(url)
    with db.unit_of_work() as s:
        import_catalog(s, shipped_catalog())
        seed(s, registry_size=60)
    db.dispose()
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return prepared_database(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # recommendations are recomputed after a publish when a test says so (test_recommendations_refresh)
    return Settings(database_url=database_url, secret_key="test-secret", upload_dir=tmp_path_factory.mktemp("up"),
                    warm_search=False, recommendation_refresh_interval=0)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Any:
    return create_app(settings)


_visitors = itertools.count(1)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    """A visitor with an address of its own (IPv6 documentation prefix): the sign-in throttle
    counts failures per address, and one test's wrong passwords (schemathesis makes hundreds)
    must not throttle the next test's sign-in."""
    n = next(_visitors)
    with TestClient(app, client=(f"2001:db8::{n:x}", 50000)) as c:
        yield c


_brns = itertools.count(1)
_emails = itertools.count(1)


def fresh_brn() -> str:
    n = next(_brns)
    head = f"3{os.getpid() % 100:02d}{n:06d}"
    return f"{head[:3]}-{head[3:5]}-{head[5:]}{check_digit(head)}"


def fresh_email(prefix: str = "user") -> str:
    return f"{prefix}{next(_emails)}-{os.getpid()}@example.kr"


def agreements() -> dict[str, str]:
    """The required consent items of sign-up, in their current versions."""
    from onestop.accounts import consents

    return {i.id: i.current for i in consents.items() if i.required}


def mails(app: Any, email: str, kind: str | None = None) -> list[str]:
    """The emails owed to an address (oldest first), written as the outbox writes them."""
    from sqlalchemy import select

    from onestop.accounts.tables import UserRow
    from onestop.alerts.outbox import body
    from onestop.alerts.tables import NotificationRow

    state = app.state.app
    with state.db.unit_of_work() as db:
        notes = db.scalars(select(NotificationRow).join(UserRow, UserRow.id == NotificationRow.user_id).where(
            UserRow.email == email, *([NotificationRow.kind == kind] if kind else [])).order_by(NotificationRow.id))
        return [body(state.settings, n) for n in notes]


def mailed_token(app: Any, email: str, kind: str) -> str:
    """The one-time token of the newest email of this kind to this address."""
    import re

    found = re.findall(r"/(?:password/reset|account/confirm)/([A-Za-z0-9_-]+)", mails(app, email, kind)[-1])
    assert found, "no link in the email"
    return str(found[-1])


def confirm_email(client: TestClient, email: str) -> None:
    r = client.post("/api/v1/auth/confirm-email", json={"token": mailed_token(client.app, email, "email_confirm")})
    assert r.status_code == 200, r.text


class Api:
    """A TestClient with a bearer token for one new firm member (email confirmed unless told)."""

    PASSWORD = "correct-horse-battery"

    def __init__(self, client: TestClient, email: str | None = None, token: str | None = None,
                 confirmed: bool = True) -> None:
        self.client = client
        self.email = email or fresh_email()
        if token is None:
            r = client.post("/api/v1/auth/signup", json={"email": self.email, "password": self.PASSWORD,
                                                         "name": "테스트 사용자", "agreements": agreements()})
            assert r.status_code == 201, r.text
            if confirmed:
                confirm_email(client, self.email)
            r = client.post("/api/v1/auth/token", json={"email": self.email, "password": self.PASSWORD})
            assert r.status_code == 200, r.text
            token = r.json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    @classmethod
    def login(cls, client: TestClient, email: str, password: str) -> Api:
        r = client.post("/api/v1/auth/token", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        return cls(client, email, r.json()["access_token"])

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.client.post(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.client.put(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def register_firm(self, **changes: Any) -> dict[str, Any]:
        from tests.conftest import example

        data = {**example("young-founder"), "brn": fresh_brn(), **changes}
        r = self.post("/api/v1/firms", json=data)
        assert r.status_code == 201, r.text
        return dict(r.json())
