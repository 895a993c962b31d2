"""The FastAPI application: JSON API under /api/v1, server-rendered pages, static assets."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

import onestop
from onestop.catalog.services import revision
from onestop.platform import problems
from onestop.platform.boundary import InputBoundary
from onestop.platform.compress import Compression
from onestop.platform.db import Database
from onestop.platform.migrate import ensure_migrated
from onestop.platform.security import CspReports, SecurityHeaders
from onestop.platform.security import router as security_router
from onestop.platform.settings import Settings, get_settings
from onestop.platform.state import AppState


def _warm(state: AppState) -> None:
    """Build what the first requests need before the server takes traffic: the catalog engine
    and its compiled rules, the Korean search index (kiwipiepy), the reference tables and every
    page template (measured: the first request after start took 9.5 s when these were built on
    demand; see BENCHMARKS.md), and the credit model in use (LightGBM and its artifact)."""
    from datetime import date

    from onestop.korea import ksic, regions
    from onestop.platform.templating import warm_templates

    try:
        ksic.table()
        regions.table()
        warm_templates()
        with state.db.unit_of_work(read_only=True) as db:
            _, engine, _ = state.index(db)
            engine.compiled  # noqa: B018 - compiles every program's rule once
            state.registry.frame(db, date.today())
        from onestop.evaluation import artifacts

        artifacts.load()
    except Exception:  # warming is an optimisation; requests build what they need on demand
        logging.getLogger(__name__).exception("warming the app failed")
    # What start-up built (catalog, compiled rules, reference tables, templates, the search index
    # and the modules: ~380,000 objects) lives as long as the process. Frozen, the garbage
    # collector's full collections no longer walk it. And a collection of the youngest objects
    # every 20,000 allocations instead of 700: a request's temporaries were caught alive in the
    # middle of it, promoted, and soon counted towards a full collection, which then ran every
    # second or two, 100–240 ms each, with nothing to collect (measured under load; BENCHMARKS.md,
    # "The fast lane"). Request code makes almost no reference cycles.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


class Health(BaseModel):
    status: str
    app_version: str
    schema_revision: str
    catalog_revision: int
    database: str


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the app; refuses to start (DomainError) when the database is not migrated."""
    settings = settings or get_settings()
    database = database or Database(settings.database_url)
    schema = ensure_migrated(database.engine, database.url)
    state = AppState(db=database, settings=settings, schema_revision=schema)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        from onestop.platform.db import THREADS

        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        from onestop.alerts import outbox
        from onestop.audit import anchor
        from onestop.matching import refresh

        if settings.warm_search:
            # before the first request: uvicorn accepts connections only after start-up
            await anyio.to_thread.run_sync(_warm, state)
        stop = threading.Event()
        sender = outbox.start(state.db, settings, stop)  # None without SMTP
        anchorer = anchor.start(state.db, settings.audit_anchor_interval, stop)  # None when left to cron
        refresher = refresh.start(state.db, state.engines.get, settings.recommendation_refresh_interval, stop)
        try:
            yield
        finally:
            stop.set()
            for thread in (sender, anchorer, refresher):
                if thread is not None:
                    thread.join(timeout=30)

    app = FastAPI(
        lifespan=lifespan,
        title="onestop",
        version=onestop.__version__,
        description="One-stop platform for Korean SME support programs: search, eligibility with reasons, "
                    "recommendations and packages. Errors are RFC 9457 problem details with Korean and "
                    "English messages.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.app = state
    app.state.db = database
    app.state.csp_reports = CspReports()
    from onestop.matching.lane import RecommendationsLane

    app.add_middleware(RecommendationsLane, state=state)  # innermost: the same middleware as the route's
    app.add_middleware(Compression)  # inside the security headers: a compressed response gets them too
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    problems.install(app)
    app.add_middleware(InputBoundary)

    @app.get("/healthz", response_model=Health, tags=["platform"], summary="Liveness and versions")
    def healthz() -> Health:
        with database.unit_of_work() as db:
            rev = revision(db)
        return Health(status="ok", app_version=onestop.__version__, schema_revision=state.schema_revision,
                      catalog_revision=rev, database=database.engine.dialect.name)

    from onestop.accounts.api import router as accounts_api
    from onestop.alerts.api import router as alerts_api
    from onestop.applications.api import router as applications_api
    from onestop.catalog.api import router as catalog_api
    from onestop.evaluation.api import router as evaluation_api
    from onestop.evaluation.committee_api import router as committee_api
    from onestop.firms.api import router as firms_api
    from onestop.funds.api import router as funds_api
    from onestop.marketplace.api import router as marketplace_api
    from onestop.matching.api import router as matching_api

    for router in (accounts_api, firms_api, catalog_api, matching_api, alerts_api, applications_api, evaluation_api,
                   committee_api, funds_api, marketplace_api):
        app.include_router(router)

    from onestop.platform.pages import router as pages

    app.include_router(security_router)
    app.include_router(pages)
    static = resources.files("onestop.platform") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
