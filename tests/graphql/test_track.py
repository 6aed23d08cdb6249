"""`track`, and what events change for a viewer: activity and event-window segments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql, headers
from veneer.app import create_app
from veneer.graphql.events.mutations import json_size
from veneer.services import Services
from veneer.settings import Settings

TRACK = """
mutation($events: [EventInput!]!) {
  track(events: $events) { accepted duplicates rejected { index field message } }
}"""
GRANT = """mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"""
UPSERT = """mutation($key: String!, $rule: JSON!) {
  upsertSegment(key: $key, name: "n", rule: $rule) { key } }"""
KEEN = {
    "event": "entry_view",
    "where": {"entryId": "tent-x2"},
    "count": {"gte": 3},
    "within": "48h",
}


class Clock:
    """A clock the test moves, so windows can slide without waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed_client(settings: Settings, clock: Clock) -> Iterator[TestClient]:
    services = Services(settings.model_copy(update={"viewer_cache_ttl": 0}), clock=clock)
    with TestClient(create_app(services=services)) as client:
        yield client


def _views(prefix: str, n: int, at: datetime) -> list[dict[str, object]]:
    return [
        {
            "id": f"{prefix}-{i}",
            "type": "entry_view",
            "entryId": "tent-x2",
            "timestamp": at.isoformat(),
        }
        for i in range(n)
    ]


def _keen_segment_and_a_consenting_hiker(client: TestClient, keys: Keys) -> None:
    data(gql(client, UPSERT, {"key": "keen-on-tent", "rule": KEEN}, key=keys.secret))
    consent = [
        {"purpose": "ANALYTICS", "granted": True},
        {"purpose": "PERSONALIZATION", "granted": True},
    ]
    data(gql(client, GRANT, {"p": consent}, key=keys.public, anonymous_id="hiker"))


def _segments(client: TestClient, key: str, viewer: str) -> list[str]:
    body = data(gql(client, "{ viewer { segments { key } } }", key=key, anonymous_id=viewer))
    return [s["key"] for s in body["viewer"]["segments"]]


def test_track_reports_like_the_rest_endpoint(client: TestClient, keys: Keys) -> None:
    grant = {"p": [{"purpose": "ANALYTICS", "granted": True}]}
    data(gql(client, GRANT, grant, key=keys.public, anonymous_id="t1"))
    events = [
        {"id": "g1", "type": "search", "properties": {"query": "tent"}},
        {"id": "g1", "type": "search", "properties": {"query": "tent"}},
        {"id": "g2", "type": "time_on_page", "properties": {"seconds": -4}},
    ]

    result = data(gql(client, TRACK, {"events": events}, key=keys.public, anonymous_id="t1"))

    assert result["track"] == {
        "accepted": 1,
        "duplicates": 1,
        "rejected": [
            {
                "index": 2,
                "field": "properties.seconds",
                "message": "Input should be greater than or equal to 0",
            }
        ],
    }


def test_a_batch_over_the_limit_is_refused_whole(client: TestClient, keys: Keys) -> None:
    events = [{"id": f"x{i}", "type": "click"} for i in range(501)]
    body = gql(client, TRACK, {"events": events}, key=keys.public, anonymous_id="t2")
    assert error_messages(body) == ["events: at most 500 events per request"]


def test_track_takes_and_refuses_the_batches_v1_events_does(settings: Settings, keys: Keys) -> None:
    """One byte limit for both doors: the same batch is refused, or taken, by each."""
    limit = 2_000
    notes = [{"id": f"n{i}", "type": "note", "properties": {"text": "x" * 500}} for i in range(5)]
    size = len(orjson.dumps(notes))
    assert size > limit > len(orjson.dumps(notes[:3]))
    with TestClient(create_app(settings.model_copy(update={"max_batch_bytes": limit}))) as client:
        rest = client.post("/v1/events", json=notes, headers=headers(keys.public, "t3"))
        refused = gql(client, TRACK, {"events": notes}, key=keys.public, anonymous_id="t3")
        taken = gql(client, TRACK, {"events": notes[:3]}, key=keys.public, anonymous_id="t3")

    assert rest.status_code == 413
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "events"}
    assert error_messages(refused) == [
        f"events: {size} bytes of events; at most {limit} per request"
    ]
    assert data(taken)["track"]["accepted"] == 3


def test_a_batch_with_an_integer_past_64_bits_is_measured_not_failed() -> None:
    """orjson cannot encode it; validation, not the size check, is where it gets refused."""
    assert json_size([{"n": 2**70, "s": "é"}]) == len(
        '[{"n":1180591620717411303424,"s":"é"}]'.encode()
    )


def test_events_move_a_viewer_into_a_segment_and_the_window_moves_them_out(
    timed_client: TestClient, keys: Keys, clock: Clock
) -> None:
    client = timed_client
    _keen_segment_and_a_consenting_hiker(client, keys)

    data(
        gql(
            client,
            TRACK,
            {"events": _views("a", 2, clock.now)},
            key=keys.public,
            anonymous_id="hiker",
        )
    )
    assert _segments(client, keys.public, "hiker") == []

    data(
        gql(
            client,
            TRACK,
            {"events": _views("b", 1, clock.now)},
            key=keys.public,
            anonymous_id="hiker",
        )
    )
    assert _segments(client, keys.public, "hiker") == ["keen-on-tent"], "the next request sees it"

    clock.now += timedelta(hours=47)
    assert _segments(client, keys.public, "hiker") == ["keen-on-tent"]
    clock.now += timedelta(hours=2)
    assert _segments(client, keys.public, "hiker") == [], "the window slid past the views"


def test_old_events_outside_the_window_do_not_count(
    timed_client: TestClient, keys: Keys, clock: Clock
) -> None:
    client = timed_client
    data(gql(client, UPSERT, {"key": "keen-on-tent", "rule": KEEN}, key=keys.secret))
    consent = [
        {"purpose": "ANALYTICS", "granted": True},
        {"purpose": "PERSONALIZATION", "granted": True},
    ]
    data(gql(client, GRANT, {"p": consent}, key=keys.public, anonymous_id="late"))
    old = _views("old", 5, clock.now - timedelta(days=3))

    result = data(gql(client, TRACK, {"events": old}, key=keys.public, anonymous_id="late"))

    assert result["track"]["accepted"] == 5
    assert _segments(client, keys.public, "late") == []


def test_a_purchase_buried_under_many_page_views_still_counts(
    timed_client: TestClient, keys: Keys, clock: Clock
) -> None:
    client = timed_client
    buyers = {"event": "purchase", "count": {"gte": 1}, "within": "30d"}
    data(gql(client, UPSERT, {"key": "buyers", "rule": buyers}, key=keys.secret))
    consent = [
        {"purpose": "ANALYTICS", "granted": True},
        {"purpose": "PERSONALIZATION", "granted": True},
    ]
    data(gql(client, GRANT, {"p": consent}, key=keys.public, anonymous_id="browser"))
    bought = clock.now - timedelta(days=2)
    purchase = {
        "id": "buy-1",
        "type": "purchase",
        "timestamp": bought.isoformat(),
        "properties": {"value": 20, "currency": "EUR"},
    }
    views = [
        {"id": f"pv-{i}", "type": "page_view", "timestamp": clock.now.isoformat()}
        for i in range(1200)
    ]
    for batch in ([purchase], views[:500], views[500:1000], views[1000:]):
        result = data(
            gql(client, TRACK, {"events": batch}, key=keys.public, anonymous_id="browser")
        )
        assert result["track"]["accepted"] == len(batch)

    assert _segments(client, keys.public, "browser") == ["buyers"]


def test_track_says_how_many_events_were_not_kept_for_lack_of_consent(
    client: TestClient, keys: Keys
) -> None:
    """A backend sending for a viewer who never granted ANALYTICS learns why nothing shows."""
    query = "mutation($e: [EventInput!]!) { track(events: $e) { accepted withoutConsent } }"
    events = {"e": [{"id": "w1", "type": "signup"}, {"id": "w2", "type": "signup"}]}

    before = data(gql(client, query, events, key=keys.public, anonymous_id="t9"))
    grant = {"p": [{"purpose": "ANALYTICS", "granted": True}]}
    data(gql(client, GRANT, grant, key=keys.public, anonymous_id="t9"))
    after = data(gql(client, query, events, key=keys.public, anonymous_id="t9"))

    assert before["track"] == {"accepted": 2, "withoutConsent": 2}
    assert after["track"] == {"accepted": 2, "withoutConsent": 0}


def test_what_track_stores_reaches_the_stored_segment_sizes(
    timed_client: TestClient, keys: Keys, clock: Clock
) -> None:
    """Stored membership (sizes, trends) is refreshed after the answer, yet refreshed."""
    client = timed_client
    _keen_segment_and_a_consenting_hiker(client, keys)
    sizes = "{ segments { key size } }"
    assert data(gql(client, sizes, key=keys.secret))["segments"] == [
        {"key": "keen-on-tent", "size": 0}
    ]

    tracked = gql(
        client, TRACK, {"events": _views("a", 3, clock.now)}, key=keys.public, anonymous_id="hiker"
    )

    assert data(tracked)["track"]["accepted"] == 3
    assert data(gql(client, sizes, key=keys.secret))["segments"] == [
        {"key": "keen-on-tent", "size": 1}
    ]
