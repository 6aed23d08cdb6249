"""Feed paging: page 2 follows page 1's ranking whatever happens in between, until it expires."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.graphql.feed_client import (
    EVERYTHING,
    consent,
    feed_body,
    feed_page,
    ids,
    popularity_job,
    track,
)
from tests.helpers import data, gql
from tests.recommend import shop
from veneer.app import create_app
from veneer.settings import Settings

CATALOGUE = len(shop.entries())
EXPIRED = (
    "after: this feed has expired (feeds are kept 30 minutes from their first page) or was "
    "not ranked for this viewer; start again from the first page, without after"
)


def _rest(client: TestClient, keys: Keys, viewer: str, after: str) -> list[str]:
    """Every entry after ``after``, page by page."""
    seen: list[str] = []
    while True:
        page = feed_page(client, keys, viewer, 4, after)
        seen += ids(page)
        assert page["pageInfo"]["hasPreviousPage"]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


def _expired(body: dict[str, Any]) -> str:
    assert body["data"] is None, body
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "FEED_EXPIRED", "field": "after"}
    return str(error["message"])


@pytest.fixture
def settings(both_caches: Settings) -> Settings:
    """Snapshots live in the shared cache: in-process here, Redis in production."""
    return both_caches


def test_later_pages_follow_the_first_pages_ranking_while_events_change_it(
    client: TestClient, keys: Keys
) -> None:
    consent(client, keys, "scroller", EVERYTHING)
    track(client, keys, "scroller", "entry_view", "tent-x2")
    ranked = ids(feed_page(client, keys, "scroller", CATALOGUE))
    first = feed_page(client, keys, "scroller", 5)
    assert ids(first) == ranked[:5]

    # Meanwhile other shoppers buy what was at the bottom, and the scroller looks at climbing
    # gear: ranked again now, the feed would be another one.
    for n in range(4):
        consent(client, keys, f"buyer-{n}", EVERYTHING)
        track(client, keys, f"buyer-{n}", "purchase", *ranked[-3:])
    popularity_job(client)
    track(client, keys, "scroller", "entry_view", "quickdraw-set-six", "granite-chalk-bag")
    assert ids(feed_page(client, keys, "scroller", CATALOGUE)) != ranked

    rest = _rest(client, keys, "scroller", first["pageInfo"]["endCursor"])

    assert ids(first) + rest == ranked
    assert len(set(ids(first) + rest)) == CATALOGUE


def test_another_process_serves_the_next_page(settings: Settings, keys: Keys) -> None:
    with (
        TestClient(create_app(settings), base_url="http://127.0.0.1") as one,
        TestClient(create_app(settings), base_url="http://127.0.0.1") as other,
    ):
        ranked = ids(feed_page(one, keys, "roamer", CATALOGUE))
        first = feed_page(one, keys, "roamer", 6)
        body = feed_body(other, keys, "roamer", 6, first["pageInfo"]["endCursor"])
    if settings.redis_url is None:  # each process keeps its own snapshots: use Redis
        _expired(body)
        return
    assert ids(first) + ids(data(body)["feed"]) == ranked[:12]


def test_an_expired_feed_says_to_start_again_from_the_first_page(
    client: TestClient, keys: Keys
) -> None:
    first = feed_page(client, keys, "slow", 5)
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(services.cache.delete_prefix, "feed:")  # what expiry does

    assert _expired(feed_body(client, keys, "slow", 5, first["pageInfo"]["endCursor"])) == EXPIRED
    assert len(feed_page(client, keys, "slow", 5)["edges"]) == 5  # starting again works


def test_feeds_expire_after_their_ttl(settings: Settings, keys: Keys) -> None:
    instant = settings.model_copy(update={"feed_snapshot_ttl": 0})
    with TestClient(create_app(instant), base_url="http://127.0.0.1") as client:
        first = feed_page(client, keys, "slow", 5)
        message = _expired(feed_body(client, keys, "slow", 5, first["pageInfo"]["endCursor"]))
    assert message.startswith("after: this feed has expired (feeds are kept 0 minutes")


def test_a_cursor_from_another_viewer_is_refused_like_an_expired_one(
    client: TestClient, keys: Keys
) -> None:
    consent(client, keys, "alice", EVERYTHING)
    track(client, keys, "alice", "entry_view", "quickdraw-set-six")
    cursor = feed_page(client, keys, "alice", 3)["pageInfo"]["endCursor"]

    assert _expired(feed_body(client, keys, "mallory", 3, cursor)) == EXPIRED
    assert _expired(feed_body(client, keys, None, 3, cursor)) == EXPIRED
    assert len(feed_page(client, keys, "alice", 3, cursor)["edges"]) == 3


def test_withdrawing_consent_ends_a_feed_ranked_on_the_viewers_activity(
    client: TestClient, keys: Keys
) -> None:
    consent(client, keys, "fickle", EVERYTHING)
    cursor = feed_page(client, keys, "fickle", 3)["pageInfo"]["endCursor"]
    withdraw = (
        "mutation { setConsent(purposes: [{purpose: RECOMMENDATIONS, granted: false}]) "
        "{ granted } }"
    )
    data(gql(client, withdraw, key=keys.public, anonymous_id="fickle"))

    message = _expired(feed_body(client, keys, "fickle", 3, cursor))

    assert "RECOMMENDATIONS consent has been withdrawn" in message
    page = feed_page(client, keys, "fickle", 3)
    assert page["edges"][1]["node"]["personalization"]["strategy"] in {"popular", "recent"}


def test_erasure_drops_the_viewers_feeds(client: TestClient, keys: Keys) -> None:
    consent(client, keys, "leaver", EVERYTHING)
    cursor = feed_page(client, keys, "leaver", 3)["pageInfo"]["endCursor"]
    assert data(gql(client, "mutation { forgetViewer }", key=keys.public, anonymous_id="leaver"))

    _expired(feed_body(client, keys, "leaver", 3, cursor))


def test_one_ranking_per_first_page_however_long_the_page(settings: Settings, keys: Keys) -> None:
    uncached = settings.model_copy(
        update={"viewer_cache_ttl": 0, "content_cache_ttl": 0, "recommend_model_check": 0}
    )
    with TestClient(create_app(uncached), base_url="http://127.0.0.1") as client:
        consent(client, keys, "counted", EVERYTHING)
        track(client, keys, "counted", "entry_view", "tent-x2")
        feed_page(client, keys, "counted", 1)  # warm up
        engine = client.app.state.services.db.engine.sync_engine  # type: ignore[attr-defined]
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        one = feed_page(client, keys, "counted", 1)
        for_one = len(statements)
        statements.clear()
        twenty = feed_page(client, keys, "counted", 20)
        for_twenty = len(statements)
        statements.clear()
        feed_page(client, keys, "counted", 20, twenty["pageInfo"]["endCursor"])
        event.remove(engine, "before_cursor_execute", count)

    assert len(one["edges"]) == 1 and len(twenty["edges"]) == 20
    assert for_twenty == for_one, statements
    assert len(statements) <= for_one  # a later page ranks nothing
