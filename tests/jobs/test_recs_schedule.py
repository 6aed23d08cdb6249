"""Housekeeping's training schedule: the interval, a privacy deadline, and drift."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.jobs.conftest import Play
from tests.jobs.recs_shop import NOW, Clock, consent, planted_events, send, shop
from veneer.jobs import recs_schedule
from veneer.jobs.recs_schedule import Schedule, check_drift, due, run_scheduled
from veneer.jobs.recs_training import train
from veneer.recommend.models.serving import ServingModel
from veneer.recommend.models.serving_evaluation import measure
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import recommendation_models as registry
from veneer.store.models import RecommendationModelRow

DAY = 24 * 3600.0


async def _versions(services: Services) -> list[registry.ModelVersion]:
    async with services.db.session() as session:
        return await registry.list_versions(session)


def test_training_is_due_by_the_interval_since_the_last_version(play: Play, clock: Clock) -> None:
    async def body(services: Services) -> None:
        schedule = Schedule()
        assert await due(services, schedule, 0.0) == "schedule"  # nothing trained yet
        await shop(services)
        await train(services)
        schedule.last_attempt = 0.0
        assert await due(services, schedule, DAY / 2) is None
        clock.now = NOW + timedelta(days=1, seconds=1)
        assert await due(services, schedule, DAY + 1) == "schedule"

    play(body)


def test_a_withdrawal_makes_training_due_and_the_scheduled_run_replaces_the_champion(
    play: Play, clock: Clock
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        await train(services)
        schedule = Schedule(last_attempt=0.0, last_drift=0.0)
        assert await due(services, schedule, 700.0) is None

        await consent(services, "v0-0", recommendations=False)
        assert (await due(services, schedule, 700.0) or "").startswith("privacy")

        clock.now = NOW + timedelta(hours=2)
        await run_scheduled(services, schedule, 700.0)
        newest, first = await _versions(services)
        assert newest.status == "champion" and first.status == "retired"
        assert newest.params["reason"].startswith("privacy")
        async with services.db.session() as session:
            assert "user:v0-0" not in await registry.viewers_of(session, newest.version)

    play(body)


def test_a_champion_past_its_privacy_deadline_is_retired_even_when_training_crashes(
    play: Play, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        await train(services)
        await consent(services, "v0-0", recommendations=False)

        async def crash(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("out of memory")

        monkeypatch.setattr(recs_schedule, "train", crash)
        clock.now = NOW + timedelta(hours=2)  # the deadline is a day away: try again later
        with pytest.raises(RuntimeError, match="out of memory"):
            await run_scheduled(services, Schedule(), 1.0)
        assert [v.status for v in await _versions(services)] == ["champion"]

        clock.now = NOW + timedelta(hours=25)  # past it
        with pytest.raises(RuntimeError, match="out of memory"):
            await run_scheduled(services, Schedule(), 2.0)
        (first,) = await _versions(services)
        assert first.status == "retired" and "(training failed)" in first.decision

    play(body)


def test_a_planted_shift_is_drift_and_triggers_retraining(play: Play, clock: Clock) -> None:
    async def body(services: Services) -> None:
        names = await shop(services)
        await train(services)
        clock.now = NOW + timedelta(days=3)
        # The same viewers come back browsing the next group's shelf instead of their own.
        shifted = planted_events(end=clock.now, days=2, shift=1, seed=5)
        fresh = [e for e in shifted if not str(e["entryId"]).startswith("pop-")]
        await send(services, fresh)

        check = await check_drift(services)

        assert check is not None and check["drifted"], check
        assert check["fresh"] < 0.9 * check["registered"]
        (champion,) = await _versions(services)
        assert champion.metrics["drift"] == check

        schedule = Schedule(last_attempt=0.0, last_drift=-DAY)
        await run_scheduled(services, schedule, 1.0)
        newest = (await _versions(services))[0]
        assert newest.version == 2 and newest.params["reason"].startswith("drift:")
        assert len(names) == newest.data_window["viewers"]

    play(body)


def test_no_drift_without_a_shift(play: Play, clock: Clock) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        await train(services)
        clock.now = NOW + timedelta(days=3)
        same = planted_events(end=clock.now, days=2, seed=5)  # their own shelves again
        await send(services, [e for e in same if not str(e["entryId"]).startswith("pop-")])

        check = await check_drift(services)

        assert check is not None and check["viewers"] >= 30 and not check["drifted"], check

    play(body)


def test_the_drift_check_loads_and_scores_the_champion_off_the_event_loop(
    play: Play, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        await train(services)
        clock.now = NOW + timedelta(days=3)
        same = planted_events(end=clock.now, days=2, seed=5)
        await send(services, [e for e in same if not str(e["entryId"]).startswith("pop-")])
        on_loop: dict[str, bool] = {}

        def watched(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
            def call(*args: Any) -> Any:
                try:
                    asyncio.get_running_loop()
                    on_loop[name] = True
                except RuntimeError:
                    on_loop[name] = False
                return real(*args)

            return call

        loading = watched("from_bytes", ServingModel.from_bytes)
        monkeypatch.setattr(ServingModel, "from_bytes", loading)
        monkeypatch.setattr(recs_schedule, "measure", watched("measure", measure))

        check = await check_drift(services)

        assert check is not None and "fresh" in check, check
        assert on_loop == {"from_bytes": False, "measure": False}

    play(body)


def test_a_champion_without_a_registered_figure_is_unmeasured_and_retrained(
    play: Play, clock: Clock
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        await train(services)
        async with services.db.session() as session:
            row = await session.get(RecommendationModelRow, 1)
            assert row is not None
            row.metrics = {**row.metrics, "chosen": {}}  # as registered by an older Veneer
        clock.now = NOW + timedelta(days=3)
        same = planted_events(end=clock.now, days=2, seed=5)
        await send(services, [e for e in same if not str(e["entryId"]).startswith("pop-")])

        check = await check_drift(services)

        assert check is not None and check["drifted"] and check["unmeasured"], check
        assert check["registered"] is None
        (champion,) = await _versions(services)
        assert champion.metrics["drift"] == check

        await run_scheduled(services, Schedule(last_attempt=0.0, last_drift=-DAY), 1.0)
        newest = (await _versions(services))[0]
        assert newest.version == 2 and "unmeasured" in newest.params["reason"]

    play(body)


def test_an_interval_of_zero_turns_scheduled_and_drift_training_off_but_not_the_privacy_deadline(
    play: Play, settings: Settings, clock: Clock
) -> None:
    async def body(services: Services) -> None:
        assert await due(services, Schedule(), 0.0) is None  # nothing trained, none due
        await run_scheduled(services, Schedule(), 0.0)
        assert await _versions(services) == []

        await shop(services)
        await train(services)
        await consent(services, "v0-0", recommendations=False)
        schedule = Schedule()
        assert (await due(services, schedule, 700.0) or "").startswith("privacy")
        clock.now = NOW + timedelta(hours=2)
        await run_scheduled(services, schedule, 700.0)
        newest, first = await _versions(services)
        assert newest.status == "champion" and first.status == "retired"

        clock.now = NOW + timedelta(days=3)  # a schedule and a drift check would be due
        await run_scheduled(services, Schedule(), 1e6)
        latest, *_ = await _versions(services)
        assert latest.version == newest.version and "drift" not in latest.metrics

    play(body, settings.model_copy(update={"recommend_train_interval": 0.0}))


@pytest.mark.parametrize("seconds", ["30", "-1"])
def test_a_training_interval_under_a_minute_is_refused_naming_the_setting(
    seconds: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENEER_RECOMMEND_TRAIN_INTERVAL", seconds)
    with pytest.raises(ValueError, match="recommend_train_interval"):
        Settings()
