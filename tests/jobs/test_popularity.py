"""The popularity job on both databases: who is counted, in which scopes, over what window."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.jobs.popularity import refresh_popularity
from veneer.recommend.popularity import OVERALL, Popular
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.popularity import read_popularity

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ids = itertools.count()
CONSENT = "mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"
TRACK = "mutation($e: [EventInput!]!) { track(events: $e) { accepted rejected { message } } }"
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"
UPSERT = 'mutation($r: JSON!) { upsertSegment(key: "climbers", name: "C", rule: $r) { key } }'


@pytest.fixture
def app(settings: Settings) -> Iterator[TestClient]:
    services = Services(settings, clock=lambda: NOW)
    with TestClient(create_app(services=services), base_url="http://127.0.0.1") as client:
        yield client


def _viewer(app: TestClient, keys: Keys, name: str, purposes: list[str], climber: bool) -> None:
    grants = [{"purpose": p, "granted": True} for p in ["ANALYTICS", *purposes]]
    data(gql(app, CONSENT, {"p": grants}, key=keys.public, anonymous_id=name))
    if climber:
        traits = {"t": {"interests": ["climbing"]}}
        data(gql(app, IDENTIFY, traits, key=keys.public, anonymous_id=name))


def _view(app: TestClient, keys: Keys, name: str, entry_id: str, days_ago: float = 0) -> None:
    at = (NOW - timedelta(days=days_ago)).isoformat()
    event = {"id": f"pop-{next(ids)}", "type": "entry_view", "entryId": entry_id, "timestamp": at}
    result = data(gql(app, TRACK, {"e": [event]}, key=keys.public, anonymous_id=name))
    assert result["track"]["rejected"] == []


def _table(app: TestClient) -> dict[str, list[Popular]]:
    services: Services = app.app.state.services  # type: ignore[attr-defined]
    assert app.portal is not None
    assert app.portal.call(refresh_popularity, services) is not None

    async def read() -> dict[str, list[Popular]]:
        async with services.db.session() as session:
            return await read_popularity(session)

    return app.portal.call(read)


def _viewers(table: dict[str, list[Popular]], scope: str) -> dict[str, int]:
    return {p.entry_id: p.viewers for p in table.get(scope, [])}


EVERYTHING = ["PERSONALIZATION", "RECOMMENDATIONS"]


def test_only_recommendations_consent_counts_and_segments_also_need_personalization(
    app: TestClient, keys: Keys
) -> None:
    data(
        gql(
            app,
            UPSERT,
            {"r": {"trait": "interests", "op": "contains", "value": "climbing"}},
            key=keys.secret,
        )
    )
    for name in ("ann", "dan", "eve"):
        _viewer(app, keys, name, EVERYTHING, climber=True)
    _viewer(app, keys, "bob", ["RECOMMENDATIONS"], climber=True)  # no PERSONALIZATION
    _viewer(app, keys, "cat", ["PERSONALIZATION"], climber=True)  # no RECOMMENDATIONS
    for name in ("fay", "gus"):
        _viewer(app, keys, name, EVERYTHING, climber=False)
    for name in ("ann", "bob", "cat", "dan", "eve"):
        _view(app, keys, name, "quickdraw-set-six")
    for name in ("cat", "fay", "gus"):  # two counted: short of the floor without cat
        _view(app, keys, name, "rope-care-basics")
    for name in ("ann", "fay", "gus"):  # three counted, one climber only
        _view(app, keys, name, "granite-chalk-bag")

    table = _table(app)

    assert _viewers(table, OVERALL) == {"quickdraw-set-six": 4, "granite-chalk-bag": 3}
    assert _viewers(table, "climbers") == {"quickdraw-set-six": 3}


def test_the_window_and_the_half_life_weigh_what_is_counted(app: TestClient, keys: Keys) -> None:
    for name in ("ann", "bob", "cat"):
        _viewer(app, keys, name, EVERYTHING, climber=False)
        _view(app, keys, name, "tent-x2", days_ago=7)
        _view(app, keys, name, "kettle-pot-set")
        _view(app, keys, name, "basecamp-55-pack", days_ago=45)  # before the 30-day window

    scores = {p.entry_id: p.score for p in _table(app)[OVERALL]}

    assert scores == {"kettle-pot-set": 3.0, "tent-x2": 1.5}


def test_an_erased_viewer_stops_counting_at_the_next_run(app: TestClient, keys: Keys) -> None:
    for name in ("ann", "bob", "cat", "dan"):
        _viewer(app, keys, name, EVERYTHING, climber=False)
        _view(app, keys, name, "tent-x2")
    assert _viewers(_table(app), OVERALL) == {"tent-x2": 4}

    data(gql(app, "mutation { forgetViewer }", key=keys.public, anonymous_id="ann"))

    assert _viewers(_table(app), OVERALL) == {"tent-x2": 3}


def test_nobody_counted_leaves_an_empty_table(app: TestClient, keys: Keys) -> None:
    for name in ("shy-1", "shy-2", "shy-3"):  # enough to pass the floor, were they counted
        _viewer(app, keys, name, [], climber=False)
        _view(app, keys, name, "tent-x2")
    assert _table(app) == {}
