"""Out of the filter bubble: exploration picks and the diversity floor, as a shop sees them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.graphql import feed_client
from tests.graphql.test_recommendations import (
    EVERYTHING,
    _consent,
    _for_you,
    _next_to,
    _track,
    _views,
)
from tests.recommend.shop import tags
from veneer.app import create_app
from veneer.recommend.exploration import REASON
from veneer.recommend.strategies import NO_CONSENT
from veneer.services import Services
from veneer.settings import Settings

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PINNED = {"leave-the-campsite-better", "fogbank-rain-shell"}
Shop = Callable[..., TestClient]


@pytest.fixture
def shop(settings: Settings) -> Iterator[Shop]:
    """``shop(**settings)``: the app with those settings changed, on a clock stopped at NOW."""
    clients: list[TestClient] = []

    def start(**changed: Any) -> TestClient:
        services = Services(settings.model_copy(update=changed), clock=lambda: NOW)
        client = TestClient(create_app(services=services), base_url="http://127.0.0.1")
        clients.append(client.__enter__())
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


def _climber(client: TestClient, keys: Keys, viewer: str = "climber") -> None:
    _consent(client, keys, viewer, EVERYTHING)
    _views(client, keys, viewer, "quickdraw-set-six", "granite-chalk-bag")


def _strategies(picked: list[dict[str, Any]]) -> list[str]:
    return [entry["personalization"]["strategy"] for entry in picked]


def test_every_tenth_recommendation_is_something_unlike_what_the_viewer_viewed(
    shop: Shop, keys: Keys
) -> None:
    client = shop()
    _climber(client, keys)

    picked = _for_you(client, keys, "climber", first=10)

    assert "explore" not in _strategies(picked[:9])
    tenth = picked[9]
    assert tenth["personalization"]["strategy"] == "explore"
    assert tenth["personalization"]["reason"] == REASON
    assert not tags(tenth["id"]) & {"climbing", "bouldering"}, tenth
    assert _for_you(client, keys, "climber", first=10) == picked  # the same all day
    assert "explore" not in _strategies(_for_you(client, keys, "climber", first=9))


def test_an_exploration_share_of_zero_turns_it_off(shop: Shop, keys: Keys) -> None:
    client = shop(recommend_exploration=0.0)
    _climber(client, keys)
    assert "explore" not in _strategies(_for_you(client, keys, "climber", first=20))


def test_picks_keep_to_the_content_types_exclusions_purchases_and_entry_on_screen(
    shop: Shop, keys: Keys
) -> None:
    client = shop(recommend_exploration=1.0)  # every position explores
    _climber(client, keys, "shopper")
    bought = {"value": 240.0, "currency": "EUR", "items": ["basecamp-55-pack"]}
    _track(client, keys, "shopper", ("entry_view", "tent-x2", {}), ("purchase", None, bought))

    next_to_tent = _next_to(client, keys, "shopper", "tent-x2", first=5, types=["product"])
    for_you = _for_you(
        client,
        keys,
        "shopper",
        first=5,
        types=["product"],
        exclude=["summit-lite-1-tent", "cinder-trail-runner", "fogbank-rain-shell"],
    )

    # 12 products, less the tent (on screen, and viewed), the pack bought, the 2 viewed
    # ones and, for `recommendations`, the 3 excluded ones
    assert set(_strategies(for_you)) == {"explore"}
    assert sorted(entry["id"] for entry in for_you) == [
        "driftwood-merino-base-layer",
        "emberline-canister-stove",
        "kettle-pot-set",
        "ledgeline-approach-shoe",
        "switchback-28-daypack",
    ]
    assert set(_strategies(next_to_tent)) == {"explore"}
    assert {entry["contentType"] for entry in next_to_tent} == {"product"}
    ruled_out = {"tent-x2", "basecamp-55-pack", "quickdraw-set-six", "granite-chalk-bag"}
    assert not ruled_out & {entry["id"] for entry in next_to_tent}


def test_a_feed_explores_every_tenth_recommendation_and_still_lists_each_entry_once(
    shop: Shop, keys: Keys
) -> None:
    client = shop()

    def explored(walked: list[dict[str, Any]]) -> list[str]:
        return [e["id"] for e in walked if e["personalization"]["strategy"] == "explore"]

    walked = _walk(client, keys, "reader")
    ids = [entry["id"] for entry in walked]
    assert len(ids) == len(set(ids)) == 22
    # 20 recommendations around the 2 pins: the 10th and the 20th explore
    assert len(explored(walked)) == 2 and not PINNED & set(explored(walked))
    reasons = {e["personalization"]["reason"] for e in walked if e["id"] in explored(walked)}
    assert reasons == {REASON + NO_CONSENT}

    _climber(client, keys)
    first_pick = explored(_walk(client, keys, "climber"))[0]
    assert not tags(first_pick) & {"climbing", "bouldering"}

    quiet = shop(recommend_exploration=0.0)
    assert explored(_walk(quiet, keys, "reader")) == []


def _walk(client: TestClient, keys: Keys, viewer: str) -> list[dict[str, Any]]:
    """Every entry of the viewer's feed, as nodes, page by page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = feed_client.feed_page(client, keys, viewer, 8, after)
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def test_the_diversity_floor_keeps_a_climbers_list_from_being_all_climbing(
    shop: Shop, keys: Keys
) -> None:
    def climbing(client: TestClient) -> int:
        _climber(client, keys)
        picked = _for_you(client, keys, "climber", first=4)
        assert len(picked) == 4
        return sum("climbing" in tags(entry["id"]) for entry in picked)

    assert climbing(shop(recommend_diversity_floor=0.0)) == 3
    assert climbing(shop(recommend_diversity_floor=0.5)) == 2
