"""A live server on a fresh SQLite database and Debian's chromium driven by Playwright.

Skipped with a reason on a laptop without chromium; CI sets ONESTOP_TEST_BROWSER=1, which turns
a missing browser into a failure."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from onestop.platform.app import create_app
from onestop.platform.settings import Settings
from tests.integration.conftest import prepared_database

CHROMIUM = os.environ.get("ONESTOP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("ONESTOP_ARTIFACTS", "test-artifacts")) / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


#: the live server's app (tests read the emails it owes, as a person would open their inbox)
LIVE: dict[str, Any] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    url = prepared_database("sqlite", tmp_path_factory.mktemp("browser"))
    port = _free_port()
    settings = Settings(database_url=url, secret_key="browser-test", base_url=f"http://127.0.0.1:{port}",
                        upload_dir=tmp_path_factory.mktemp("uploads"))
    # journey 3 under way, as after `make run`: 대성금속's submitted application, 순천바른빵's draft
    from onestop.catalog.services import EngineCache
    from onestop.demo.seed import seed_applications
    from onestop.platform.db import Database
    from onestop.platform.state import make_store

    db = Database(url)
    with db.unit_of_work() as s:
        revision, engine = EngineCache().get(s)
        seed_applications(s, make_store(settings), engine, revision)
    db.dispose()
    app = create_app(settings)
    app.state.test_port = port
    return app


@pytest.fixture(scope="session")
def live_server(live_app: Any) -> Iterator[str]:
    app = live_app
    port = app.state.test_port
    base = f"http://127.0.0.1:{port}"
    LIVE["app"] = app
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180  # the app warms its catalog, search and model first
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("ONESTOP_TEST_BROWSER"):
            pytest.fail(f"ONESTOP_TEST_BROWSER is set but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed; browser tests run in CI (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_report = report.failed


#: Reports every Content-Security-Policy violation to the console (an init script runs before
#: the page's own and is not subject to its policy), where `Watch` collects it.
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', e => console.error(
  'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));"""


class Watch:
    """Console errors, failed requests and error responses of one browser context. A page that
    answers an error on purpose (a form sent back with its problems, 422; a missing page, 404)
    is told with `expect`, and only that document's status is excused."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.expected: set[str] = set()

    def attach(self, pg: Any) -> None:
        pg.on("console", self._console)
        pg.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        pg.on("requestfailed", self._failed)
        pg.on("response", self._response)

    def _failed(self, r: Any) -> None:
        # a navigation cancels what the page before it was still loading (its favicon, say)
        if r.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {r.url} {r.failure}")

    def _console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        text = msg.text
        # Chromium logs every 4xx answer as "Failed to load resource"; those are judged by _response
        if text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.problems.append(f"console: {text}")

    def _response(self, r: Any) -> None:
        if r.status >= 400 and not any(r.url.endswith(e) or e in r.url for e in self.expected):
            self.problems.append(f"HTTP {r.status}: {r.url}")

    def expect(self, url_part: str) -> None:
        self.expected.add(url_part)

    def check(self) -> None:
        problems, self.problems = self.problems, []
        self.expected.clear()
        assert not problems, "\n".join(problems)


def new_context(browser: Any, base: str, width: int = 1280, height: int = 900, lang: str = "ko") -> tuple[Any, Watch]:
    context = browser.new_context(base_url=base, viewport={"width": width, "height": height},
                                  locale="ko-KR" if lang == "ko" else "en-US")
    if lang == "en":
        context.add_cookies([{"name": "onestop_lang", "value": "en", "url": base}])
    context.add_init_script(CSP_LISTENER)
    watch = Watch()
    context.on("page", watch.attach)
    return context, watch


@pytest.fixture
def watch_page(request: pytest.FixtureRequest, browser: Any, live_server: str) -> Iterator[tuple[Any, Watch]]:
    context, watch = new_context(browser, live_server)
    pg = context.new_page()
    pg.set_default_timeout(30000)
    yield pg, watch
    if getattr(request.node, "failed_report", False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Any, live_server: str) -> Iterator[Any]:
    context, watch = new_context(browser, live_server)
    pg = context.new_page()
    pg.set_default_timeout(30000)
    pg.watch = watch
    yield pg
    if getattr(request.node, "failed_report", False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
        (ARTIFACTS / f"FAILED-{request.node.name}.html").write_text(f"<!-- {pg.url} -->\n" + pg.content())
    context.close()


def shot(page: Any, name: str) -> None:
    """The whole page, and what a visitor first sees (the README uses some of these)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-top.png"), full_page=False)
