"""No thundering herd (issue 16): a catalog publish schedules every registered firm's
recommendations to be recomputed in the background; a visitor's request computes at most its own
firm, and after the run none at all."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from onestop.demo.seed import PASSWORD
from onestop.firms import services as firms
from onestop.firms.tables import FirmRow
from onestop.matching import refresh
from onestop.matching.services import Engine, Page
from onestop.matching.tables import RecommendationRunRow, RecommendationSnapshotRow
from tests.integration.conftest import Api

PROGRAM = "jeonnam-sme-development-fund"


def publish(client: TestClient) -> int:
    """The jeonnam officer raises a program's budget by one won: a new catalog revision."""
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    spec = client.get(f"/api/v1/programs/{PROGRAM}").json()["spec"]
    spec["budget"] = (spec.get("budget") or 0) + 1
    r = officer.put(f"/api/v1/programs/{PROGRAM}", json={"spec": spec, "note": "예산 조정 (시험)"})
    assert r.status_code == 200 and r.json()["changed"], r.text
    return int(client.get("/healthz").json()["catalog_revision"])


def run_of(app: Any, revision: int) -> RecommendationRunRow:
    with app.state.db.unit_of_work() as s:
        run = s.scalars(select(RecommendationRunRow).where(RecommendationRunRow.catalog_revision == revision)).one()
        s.expunge(run)
        return run


def firm_count(app: Any) -> int:
    with app.state.db.unit_of_work() as s:
        return int(s.scalar(select(func.count(FirmRow.id))) or 0)


def test_a_publish_is_recomputed_in_the_background_never_by_a_visitor(client: TestClient, app: Any,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    alice, bob = Api(client), Api(client)
    mine, theirs = alice.register_firm(name="앨리스 베이커리"), bob.register_firm(name="밥 소프트")
    for api, firm in ((alice, mine), (bob, theirs)):
        assert api.get(f"/api/v1/firms/{firm['id']}/recommendations").status_code == 200
    computed: list[str] = []
    real = Engine.standings

    def counting(self: Engine, profile: Any, on: Any) -> Any:
        computed.append(profile.name)
        return real(self, profile, on)

    monkeypatch.setattr(Engine, "standings", counting)
    revision = publish(client)
    assert run_of(app, revision).state == "pending"

    after = alice.get(f"/api/v1/firms/{mine['id']}/recommendations")
    assert after.status_code == 200 and after.json()["catalog_revision"] == revision
    assert computed == ["앨리스 베이커리"]  # her own firm, and nobody else's
    assert run_of(app, revision).next_firm_id == 0  # the request did not start the run

    computed.clear()
    state = app.state.app
    done = refresh.drain(app.state.db, state.engines.get, batch=25)
    everyone = firm_count(app)
    assert done == everyone == len(computed)  # every registered firm, each once
    run = run_of(app, revision)
    assert run.state == "done" and run.firms_done == everyone
    with app.state.db.unit_of_work() as s:
        stale = s.scalar(select(func.count()).select_from(RecommendationSnapshotRow)
                         .where(RecommendationSnapshotRow.catalog_revision != revision))
        assert stale == 0

    computed.clear()
    answer = bob.get(f"/api/v1/firms/{theirs['id']}/recommendations", params={"per_page": 100}).json()
    assert computed == []  # from the stored standings: only the page's explanations were built
    monkeypatch.setattr(Engine, "standings", real)
    with app.state.db.unit_of_work() as s:  # the same answer as computing it now
        _, engine = state.engine(s)
        profile = firms.profile_of(s.get(FirmRow, theirs["id"]))
    fresh = engine.compact(profile, date.fromisoformat(answer["date"]), Page(size=100))
    for key in ("totals", "eligible", "near_misses", "needs_information", "packages", "excluded"):
        assert answer[key] == fresh[key], key


def test_two_runners_never_recompute_the_same_firm_on_postgresql(client: TestClient, app: Any,
                                                                  database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no row locks: a single runner (documented)")
    revision = publish(client)
    engines = app.state.app.engines
    database = app.state.db
    with database.unit_of_work() as first:
        assert refresh.refresh_batch(first, engines.get, 5) == 5
        with database.unit_of_work() as second:  # the run is locked: skipped, not waited for
            assert refresh.refresh_batch(second, engines.get, 5) is None
    rest = refresh.drain(database, engines.get, batch=50)
    run = run_of(app, revision)
    assert run.state == "done" and run.firms_done == 5 + rest == firm_count(app)
