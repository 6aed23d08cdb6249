"""A write that succeeded answers as such, whatever happens to what is derived from it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.jobs import cluster_assignment
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.segments import (
    delete_segment,
    mark_decided,
    undecided_segments,
    upsert_segment,
)

IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"
TRAITS = "{ viewer { traits } }"
UPSERT = """mutation($key: String!, $rule: JSON!) {
  upsertSegment(key: $key, name: "n", rule: $rule) { key } }"""
SIZES = "{ segments { key size } }"
GRANT = "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) { purpose } }"
TRACK = "mutation($e: [EventInput!]!) { track(events: $e) { accepted duplicates } }"
# Saved before the GraphQL edge refused such numbers: no database can bind it in a query.
UNBINDABLE = {"trait": "age", "op": "gt", "value": 2**70}


@pytest.fixture
def app(settings: Settings) -> Iterator[TestClient]:
    quiet = {  # housekeeping must not decide behind the test's back
        "segment_decide_interval": 3600,
        "segment_sweep_interval": 3600,
        "viewer_cache_ttl": 0,
    }
    services = Services(settings.model_copy(update=quiet))
    with TestClient(create_app(services=services), base_url="http://127.0.0.1") as client:
        yield client


def _in_app(client: TestClient, call: Any) -> Any:
    """Run ``call(services)`` on the app's own event loop, where its database pool lives."""
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    return client.portal.call(call, services)


async def _save_unbindable(services: Services) -> None:
    async with services.db.session() as session:
        await upsert_segment(session, "huge", "Huge", UNBINDABLE)
        await mark_decided(session, ["huge"], datetime.now(UTC))
    await services.segments_changed()


async def _undecided(services: Services) -> list[str]:
    async with services.db.session() as session:
        return await undecided_segments(session)


async def _delete_unbindable(services: Services) -> None:
    async with services.db.session() as session:
        await delete_segment(session, "huge")
    await services.segments_changed()


def test_identify_answers_when_refreshing_membership_fails(
    app: TestClient, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    _in_app(app, _save_unbindable)

    with caplog.at_level(logging.ERROR, logger="veneer.jobs.derived"):
        body = gql(app, IDENTIFY, {"t": {"age": 30}}, key=keys.public, anonymous_id="ann")

    assert data(body)["identify"]["id"]
    traits = data(gql(app, TRAITS, key=keys.public, anonymous_id="ann"))["viewer"]["traits"]
    assert traits == {"age": 30}
    assert "stored segment membership not refreshed" in caplog.text
    assert _in_app(app, _undecided) == ["huge"]  # housekeeping will decide it again

    # The failure left nothing behind: the next refresh, on the same pool, works.
    _in_app(app, _delete_unbindable)
    data(
        gql(
            app,
            UPSERT,
            {"key": "adults", "rule": {"trait": "age", "op": "gte", "value": 18}},
            key=keys.secret,
        )
    )
    data(gql(app, IDENTIFY, {"t": {"age": 40}}, key=keys.public, anonymous_id="bob"))
    sizes = data(gql(app, SIZES, key=keys.secret))["segments"]
    assert sizes == [{"key": "adults", "size": 1}]


def test_track_answers_when_assigning_clusters_fails(
    app: TestClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("injected failure reading the cluster model")

    monkeypatch.setattr(cluster_assignment, "latest_model", broken)
    data(gql(app, GRANT, key=keys.public, anonymous_id="cy"))
    events = {"e": [{"id": "d1", "type": "click"}]}

    first = data(gql(app, TRACK, events, key=keys.public, anonymous_id="cy"))["track"]
    again = data(gql(app, TRACK, events, key=keys.public, anonymous_id="cy"))["track"]

    assert first == {"accepted": 1, "duplicates": 0}
    assert again == {"accepted": 0, "duplicates": 1}  # the first was kept
