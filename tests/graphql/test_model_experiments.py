"""Champion vs challenger: a registered model serves its arm of an experiment through
GraphQL, and is promoted when it wins (or left out when it loses).

The sample shop's planted groups make any trained model answer with its own strategy name
(`EASE:v1` is the champion, `ItemPop:v2` the challenger), so the arm that served is visible.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import insert
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.graphql.test_trained_recommendations import NEXT_TO_ROPE, _planted_shop
from tests.helpers import data, gql
from tests.jobs.recs_shop import NOW, Clock
from veneer.app import create_app
from veneer.experiments.assignment import hashed_arm
from veneer.experiments.definition import Experiment, ExperimentError
from veneer.identity.viewer import profile_id
from veneer.jobs import experiments as experiment_jobs
from veneer.jobs import recs_registry
from veneer.jobs.recs_challenge import challenge, conclude
from veneer.jobs.recs_training import train
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.itempop import ItemPop
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import recommendation_models as registry
from veneer.store.models import EventRow, ExposureRow

T = TypeVar("T")
GRANT = (
    "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}, "
    "{purpose: PERSONALIZATION, granted: true}, {purpose: RECOMMENDATIONS, granted: true}]) "
    "{ purpose } }"
)


def _with(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    async def main() -> T:
        services = Services(settings, clock=Clock())
        try:
            return await work(services)
        finally:
            await services.aclose()

    return asyncio.run(main())


@pytest.fixture
def challenged(settings: Settings) -> Experiment:
    """EASE v1 is the champion; ItemPop v2 is registered and challenges it."""

    async def work(services: Services) -> Experiment:
        await _planted_shop(services)
        first = await train(services, candidates=[Ease(name="EASE", lam=1.0)])
        second = await train(services, candidates=[ItemPop()], promote=False)
        assert (first.version, second.version) == (1, 2), (first.message, second.message)
        return await challenge(services, 2)

    return _with(settings, work)


def _device_in(experiment: Experiment, arm: str) -> str:
    return next(
        f"d{n}" for n in range(1000) if hashed_arm(experiment, profile_id(f"d{n}", None)) == arm
    )


def test_each_arm_is_served_by_its_model_and_counted_once(
    settings: Settings, keys: Keys, challenged: Experiment
) -> None:
    assert challenged.key == "recs-v2"
    assert challenged.models == {"champion": "1", "challenger": "2"}
    seen: dict[str, set[str]] = {}
    with TestClient(create_app(settings)) as client:
        for arm in ("champion", "challenger"):
            device = _device_in(challenged, arm)
            data(gql(client, GRANT, key=keys.public, anonymous_id=device))
            for _ in range(2):
                found = data(gql(client, NEXT_TO_ROPE, key=keys.public, anonymous_id=device))
                picked = found["entry"]["recommendations"]
                seen.setdefault(arm, set()).update(r["personalization"]["strategy"] for r in picked)
    assert seen == {"champion": {"EASE:v1"}, "challenger": {"ItemPop:v2"}}

    found = _with(settings, lambda s: experiment_jobs.results(s, "recs-v2"))
    assert found is not None
    assert {t.arm: t.users for t in found.totals} == {"champion": 1, "challenger": 1}


def test_a_challenge_is_refused_when_it_cannot_be_run(
    settings: Settings, challenged: Experiment
) -> None:
    for version, key, says in [
        (1, "other", "is the champion already"),
        (9, "other", "no recommendation model version 9"),
        (2, "other", "still running"),
        (2, "recs-v2", "exists already"),
    ]:
        with pytest.raises(ExperimentError, match=says):
            _with(settings, lambda s, v=version, k=key: challenge(s, v, key=k))


def _outcome(settings: Settings, rates: dict[str, float], users: int = 2000) -> None:
    """``users`` exposed per arm, a share of them buying after exposure: what a few weeks of
    traffic leave in the store, written in bulk."""

    async def work(services: Services) -> None:
        exposed = NOW - timedelta(days=7)
        async with services.db.session() as session:
            exposures, events = [], []
            for arm, rate in rates.items():
                for n in range(users):
                    viewer = f"anon:{arm}-{n}"
                    exposures.append(
                        {"experiment": "recs-v2", "viewer_id": viewer, "arm": arm,
                         "exposed_at": exposed}
                    )  # fmt: skip
                    if n < rate * users:
                        events.append(
                            {"id": f"{viewer}-buy", "viewer_id": viewer, "anonymous_id": None,
                             "user_id": None, "type": "purchase",
                             "timestamp": exposed + timedelta(days=1), "received_at": exposed,
                             "entry_id": None, "properties": {"value": 20.0}, "context": {}}
                        )  # fmt: skip
            await session.execute(insert(ExposureRow), exposures)
            await session.execute(insert(EventRow), events)

    _with(settings, work)


def _champion(settings: Settings) -> Any:
    async def work(services: Services) -> Any:
        async with services.db.reading() as session:
            return await registry.champion_version(session)

    return _with(settings, work)


def test_a_winning_challenger_is_promoted_and_the_experiment_stopped(
    settings: Settings, challenged: Experiment
) -> None:
    early = _with(settings, lambda s: conclude(s, "recs-v2"))
    assert early.outcome == "running" and early.reason.startswith("not enough data yet")

    _outcome(settings, {"champion": 0.05, "challenger": 0.125})
    done = _with(settings, lambda s: conclude(s, "recs-v2"))
    assert done.outcome == "promoted", done.reason
    assert done.reason.startswith("`challenger` beats control by +150.0%")
    assert _champion(settings) == 2
    stopped = _with(settings, lambda s: experiment_jobs.find(s, "recs-v2"))
    assert stopped is not None and stopped.stopped_at is not None


def test_a_losing_challenger_stays_unpromoted(settings: Settings, challenged: Experiment) -> None:
    _outcome(settings, {"champion": 0.125, "challenger": 0.05})
    done = _with(settings, lambda s: conclude(s, "recs-v2"))
    assert done.outcome == "rejected"
    assert _champion(settings) == 1

    async def decision(services: Services) -> str:
        async with services.db.reading() as session:
            version = await registry.get_version(session, 2)
        assert version is not None
        return version.decision

    assert _with(settings, decision).startswith("lost experiment recs-v2")


def test_a_win_against_a_champion_since_replaced_is_not_promoted(
    settings: Settings, challenged: Experiment
) -> None:
    """Scheduled training promoted v3 meanwhile: the challenger beat v1, not v3."""

    async def newer(services: Services) -> None:
        third = await train(services, candidates=[Ease(name="EASE", lam=2.0)], promote=False)
        assert third.version == 3, third.message
        await recs_registry.promote(services, 3)

    _with(settings, newer)
    _outcome(settings, {"champion": 0.05, "challenger": 0.125})
    done = _with(settings, lambda s: conclude(s, "recs-v2"))
    assert done.outcome == "running"
    assert "v3 is the champion now" in done.reason
    assert _champion(settings) == 3
