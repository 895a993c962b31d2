"""Start-up, migrations, email alerts through a real SMTP server, and the OpenAPI contract."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from onestop.cli import app as cli
from onestop.errors import DomainError
from onestop.platform.app import create_app
from onestop.platform.settings import Settings
from tests.integration.conftest import Api


def test_app_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(DomainError) as e:
        create_app(Settings(database_url=url, secret_key="x"))
    assert "onestop db upgrade" in e.value.ko and "onestop db upgrade" in e.value.en
    result = CliRunner().invoke(cli, ["serve", "--database-url", url])
    assert result.exit_code == 2 and "onestop db upgrade" in result.output


def test_serve_gives_workers_time_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's default health-check timeout (5 s) killed workers still starting on a loaded
    2-core machine, again and again (bench/apply_fault.py saw 21 worker starts for 4)."""
    import uvicorn

    url = f"sqlite:///{tmp_path / 'serve.db'}"
    assert CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url]).exit_code == 0
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    runner = CliRunner()
    assert runner.invoke(cli, ["serve", "--database-url", url, "--workers", "2", "--port", "8798"]).exit_code == 0
    assert calls[-1]["workers"] == 2 and calls[-1]["timeout_worker_healthcheck"] == 60
    assert runner.invoke(cli, ["serve", "--database-url", url, "--worker-timeout", "90"]).exit_code == 0
    assert calls[-1]["timeout_worker_healthcheck"] == 90
    refused = runner.invoke(cli, ["serve", "--database-url", url, "--worker-timeout", "0"])
    assert refused.exit_code != 0 and not calls[2:]


def test_cli_upgrade_import_and_seed_are_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("ONESTOP_UPLOAD_DIR", str(tmp_path / "uploads"))
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "--database-url", url]).exit_code == 0
    first = runner.invoke(cli, ["catalog", "import", "--database-url", url])
    assert first.exit_code == 0 and "0 updated" in first.output
    again = runner.invoke(cli, ["catalog", "import", "--database-url", url])
    assert "0 created, 0 updated" in again.output
    seeded = runner.invoke(cli, ["demo", "seed", "--database-url", url, "--firms", "20"])
    assert seeded.exit_code == 0 and "officer.kosmes@onestop.demo" in seeded.output
    # journeys 3 and 8 under way (3 applications: the officers' queue is not empty), and the demo's
    # history of support on registry firms (outcomes/demo.py) behind the outcome pages
    added = re.search(r"(\d+) applications added", seeded.output)
    assert added is not None and int(added.group(1)) > 3, seeded.output
    assert len(list((tmp_path / "uploads").rglob("*"))) >= 3
    reseeded = runner.invoke(cli, ["demo", "seed", "--database-url", url, "--firms", "20"])
    assert "0 accounts, 0 firms and 0 applications added" in reseeded.output
    # the demo's advisers are registered, so a firm's export need is routed to someone
    routed = runner.invoke(cli, ["advisory", "route", "examples/need-export.json", "--database-url", url, "--json"])
    assert routed.exit_code == 0 and "강해외" in routed.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(found: Callable[[], list[Any]], seconds: float = 15.0) -> list[Any]:
    """What `found` returns once it is not empty: email goes out from a background thread."""
    deadline = time.monotonic() + seconds
    while not (result := found()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return result


def test_alert_is_emailed_when_smtp_is_configured(settings: Settings) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []

    class Inbox(Message):
        def handle_message(self, message: Any) -> None:
            received.append(message)

    port = free_port()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mail_settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                                    "mail_interval": 0.1})
        app = create_app(mail_settings)  # its lifespan starts the outbox sender
        with TestClient(app) as client:
            watcher = Api(client)
            watcher.post("/api/v1/saved-searches", json={"name": "이메일", "query": {"q": "해양수산 메일알림"},
                                                         "email": True})
            officer = Api.login(client, "officer.kosmes@onestop.demo", "onestop-demo-2026")
            spec = client.get("/api/v1/programs/kosmes-new-growth-fund").json()["spec"]
            spec.update(id=f"kosmes-ocean-{port}", name={"ko": "해양수산 메일알림 시범사업", "en": "Ocean pilot"},
                        links={})
            assert officer.post("/api/v1/programs", json={"spec": spec, "note": "시범사업 신설"}).status_code == 201

            def alerts() -> list[Any]:  # the account's own confirmation mail goes to it too
                return [m for m in received if m["To"] == watcher.email
                        and f"kosmes-ocean-{port}" in m.get_payload(decode=True).decode("utf-8")]

            mine = wait_for(alerts)
    finally:
        controller.stop()
    # Other tests' notifications in the shared database may be mailed too; this user gets one alert.
    assert len(mine) == 1
    body = mine[0].get_payload(decode=True).decode("utf-8")
    assert f"kosmes-ocean-{port}" in body and "해양수산" in body
