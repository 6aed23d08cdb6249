"""The champion answers `recommendations` through GraphQL, and a promotion or rollback made
elsewhere changes what a running server answers.

Viewers in the shipped sample shop browse in two planted groups whose entries share no words
or tags (rope care with a rain shell and a pot set; trail shoes with a winter checklist and a
chalk bag), so an answer made of a group's other entries comes from the trained model, not
from content similarity or popularity.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from bench.servers import uvicorn_server, veneer_env
from tests.conftest import Keys
from tests.helpers import data, gql
from tests.jobs.recs_shop import NOW, Clock, shelf_shop
from veneer.app import create_app
from veneer.jobs import recs_registry
from veneer.jobs.recs_training import train
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.itempop import ItemPop
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import recommendation_models as registry

ROPE = ["rope-care-basics", "fogbank-rain-shell", "kettle-pot-set", "layering-for-cold-mornings"]
RUNNERS = [
    "cinder-trail-runner",
    "winter-camping-checklist",
    "granite-chalk-bag",
    "switchback-28-daypack",
]
RECIPES = [ItemPop(), Ease(name="EASE", lam=1.0)]
QUERY = "{ recommendations(first: 2) { id personalization { reason strategy } } }"
GRANT = (
    "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}, "
    "{purpose: RECOMMENDATIONS, granted: %s}]) { purpose } }"
)


async def _planted_shop(services: Services) -> None:
    """30 viewers per group, each viewing their group's four entries, a day apart, starting
    at a different one."""
    await shelf_shop(services, (ROPE, RUNNERS), 30, "shopper")


def _trained(settings: Settings, *recipes: list[Any]) -> None:
    """The planted shop, then one training run per list of recipes, each promoted if better."""

    async def main() -> None:
        services = Services(settings, clock=Clock())
        try:
            await _planted_shop(services)
            for candidates in recipes:
                result = await train(services, candidates=candidates)
                assert result.version is not None, result.message
        finally:
            await services.aclose()

    asyncio.run(main())


def _change(settings: Settings, change: Callable[[Services], Any]) -> None:
    async def main() -> None:
        services = Services(settings, clock=Clock())
        try:
            await change(services)
        finally:
            await services.aclose()

    asyncio.run(main())


def _answer(client: Any, keys: Keys, viewer: str, entry: str = "rope-care-basics") -> Any:
    """What ``viewer`` is recommended right after viewing ``entry`` (and consenting)."""
    data(gql(client, GRANT % "true", key=keys.public, anonymous_id=viewer))
    track = (
        f'mutation {{ track(events: [{{id: "{viewer}-1", type: "entry_view", '
        f'entryId: "{entry}"}}]) {{ accepted }} }}'
    )
    data(gql(client, track, key=keys.public, anonymous_id=viewer))
    return data(gql(client, QUERY, key=keys.public, anonymous_id=viewer))["recommendations"]


def test_a_viewer_gets_what_viewers_like_them_took_and_why(settings: Settings, keys: Keys) -> None:
    _trained(settings, RECIPES)
    with TestClient(create_app(settings)) as client:
        rope = _answer(client, keys, "newcomer-rope")
        runners = _answer(client, keys, "newcomer-runner", "cinder-trail-runner")
        data(gql(client, GRANT % "false", key=keys.public, anonymous_id="newcomer-rope"))
        declined = data(gql(client, QUERY, key=keys.public, anonymous_id="newcomer-rope"))

    assert {r["id"] for r in rope} < set(ROPE[1:])
    assert {r["personalization"]["strategy"] for r in rope} == {"EASE:v1"}
    assert {r["personalization"]["reason"] for r in rope} == {
        "because you viewed *Rope Care Basics*"
    }
    assert {r["id"] for r in runners} < set(RUNNERS[1:])
    strategies = {r["personalization"]["strategy"] for r in declined["recommendations"]}
    assert "EASE:v1" not in strategies, "without consent no model reads the viewer's history"


def test_next_to_an_entry_the_model_says_what_goes_with_it(settings: Settings, keys: Keys) -> None:
    _trained(settings, RECIPES)
    query = (
        '{ entry(id: "granite-chalk-bag") { recommendations(first: 2) '
        "{ id personalization { reason strategy } } } }"
    )
    with TestClient(create_app(settings)) as client:
        data(gql(client, GRANT % "true", key=keys.public, anonymous_id="on-the-page"))
        found = data(gql(client, query, key=keys.public, anonymous_id="on-the-page"))

    picked = found["entry"]["recommendations"]
    assert {r["id"] for r in picked} < set(RUNNERS) - {"granite-chalk-bag"}
    assert {r["personalization"]["reason"] for r in picked} == {
        "often chosen with *Granite Chalk Bag*"
    }


NEXT_TO_ROPE = (
    '{ entry(id: "rope-care-basics") { recommendations(first: 2) '
    "{ personalization { strategy } } } }"
)


def _strategies(base: str, keys: Keys, viewer: str) -> set[str]:
    """The strategies of what ``viewer`` is recommended next to the rope care article (the
    entry on screen is history enough, whether or not their events are stored yet)."""
    headers = {"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": viewer}
    answer = httpx.post(
        f"{base}/graphql", json={"query": NEXT_TO_ROPE}, headers=headers, timeout=60
    )
    picked = answer.json()["data"]["entry"]["recommendations"]
    return {r["personalization"]["strategy"] for r in picked}


def _until(base: str, keys: Keys, viewer: str, strategy: str, seconds: float = 30.0) -> None:
    """Ask the server again until ``strategy`` answers (a bounded wait, not a fixed sleep)."""
    deadline = time.monotonic() + seconds
    while strategy not in (seen := _strategies(base, keys, viewer)):
        assert time.monotonic() < deadline, f"still {seen} after {seconds} s, not {strategy}"
        time.sleep(0.05)


@pytest.fixture(params=["embedded", "redis"])
def served_settings(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> Iterator[Settings]:
    """Embedded: the server only checks the registry (often). With Redis: it never checks
    in time, so only the announcement on the model bus can tell it."""
    if request.param == "embedded":
        yield settings.model_copy(update={"recommend_model_check": 0.2})
    else:
        redis = request.getfixturevalue("redis_url")
        yield settings.model_copy(update={"recommend_model_check": 3600, "redis_url": redis})


def test_promotion_and_rollback_reach_a_running_server(
    served_settings: Settings, keys: Keys
) -> None:
    # Training reads stored events: tracked without Redis, they are stored at once.
    embedded = served_settings.model_copy(update={"redis_url": None})
    _trained(embedded, RECIPES)  # v1: EASE, the champion
    env = {
        "database_url": served_settings.database_url,
        "secret": served_settings.signing_secret(),
        "content": served_settings.content,
        "recommend_model_check": str(served_settings.recommend_model_check),
    }
    if served_settings.redis_url:
        env["redis_url"] = served_settings.redis_url
    with uvicorn_server("veneer.app:create_app", veneer_env(**env), factory=True) as base:
        headers = {"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": "watcher"}
        answer = httpx.post(f"{base}/graphql", json={"query": GRANT % "true"}, headers=headers)
        assert "errors" not in answer.json(), answer.text
        _until(base, keys, "watcher", "EASE:v1")

        _change(embedded, lambda s: train(s, candidates=[ItemPop()], promote=False))
        _change(served_settings, lambda s: recs_registry.promote(s, 2))
        _until(base, keys, "watcher", "ItemPop:v2")

        _change(served_settings, recs_registry.rollback)
        _until(base, keys, "watcher", "EASE:v1")


async def _register_garbage(services: Services) -> None:
    """A version whose artifact is not a model (a newer format, a truncated copy...)."""
    async with services.db.session() as session:
        version = await registry.register(
            session,
            recipe="EASE",
            created_at=NOW,
            metrics={},
            params={},
            data_window={},
            decision="registered by hand",
            viewers=[],
            artifact=b"not a model",
        )
        await registry.promote(session, version, NOW)


def test_with_the_check_at_zero_the_next_request_serves_a_change_made_elsewhere(
    settings: Settings, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    """What the demo does: a model promoted from another process answers the next query; one
    that cannot be read is logged and the model before it keeps answering."""
    _trained(settings, RECIPES)  # v1: EASE, the champion
    _change(settings, lambda s: train(s, candidates=[ItemPop()], promote=False))
    every_request = settings.model_copy(update={"recommend_model_check": 0})
    with TestClient(create_app(every_request)) as client:
        data(gql(client, GRANT % "true", key=keys.public, anonymous_id="asker"))

        def strategies() -> set[str]:
            found = data(gql(client, NEXT_TO_ROPE, key=keys.public, anonymous_id="asker"))
            return {r["personalization"]["strategy"] for r in found["entry"]["recommendations"]}

        assert strategies() == {"EASE:v1"}
        _change(settings, lambda s: recs_registry.promote(s, 2))
        assert strategies() == {"ItemPop:v2"}
        _change(settings, _register_garbage)
        with caplog.at_level(logging.ERROR, logger="veneer.served_model"):
            assert strategies() == {"ItemPop:v2"}
        assert "could not be read" in caplog.text
        _change(settings, recs_registry.rollback)
        assert strategies() == {"ItemPop:v2"}, "rolled back from the broken v3 to v2"
