"""Training from Veneer's own events on both databases: the planted tastes are learned,
consent and erasure decide whose data trains, and the registry never holds half a version."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.jobs.conftest import Body, Play
from tests.jobs.recs_shop import NOW, Clock, consent, send, shop, user, view
from veneer.consent import Purpose
from veneer.consent.decisions import Decisions
from veneer.identity.viewer import Viewer
from veneer.jobs import people, recs_registry, recs_training
from veneer.jobs.recs_training import train
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.serving import ServingModel
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import recommendation_models as registry

RECS = ((Purpose.ANALYTICS, True), (Purpose.RECOMMENDATIONS, True))


async def _champion(services: Services) -> int | None:
    async with services.db.session() as session:
        return await registry.champion_version(session)


async def _versions(services: Services) -> list[registry.ModelVersion]:
    async with services.db.session() as session:
        return await registry.list_versions(session)


async def _viewers(services: Services, version: int) -> set[str]:
    async with services.db.session() as session:
        return await registry.viewers_of(session, version)


async def _model(services: Services, version: int) -> ServingModel:
    async with services.db.session() as session:
        return ServingModel.from_bytes(await registry.read_artifact(session, version, None))


def test_the_trained_champion_beats_popularity_on_held_out_planted_pairs(
    play: Play,
) -> None:
    async def body(services: Services) -> None:
        names = await shop(services)
        started = time.perf_counter()
        result = await train(services)
        took = time.perf_counter() - started

        assert result.version == 1 and result.promoted, result.message
        assert await _champion(services) == 1
        chosen = result.metrics["chosen"]["precision@10"]
        popular = result.metrics["holdout"]["ItemPop"]["precision@10"]
        assert chosen > 2 * popular, (chosen, popular)
        assert result.data_window["viewers"] == len(names)
        assert await _viewers(services, 1) == {f"user:{n}" for n in names}
        model = await _model(services, 1)
        top = model.recommend(["g2-0", "g2-1", "g2-2"], 5)
        assert all(s.entry_id.startswith("g2-") for s in top)
        print(f"trained in {took:.1f} s; P@10 {chosen:.3f} against ItemPop's {popular:.3f}")

    play(body)


def test_too_little_data_registers_nothing(play: Play) -> None:
    async def body(services: Services) -> None:
        await consent(services, "lonely")
        await send(services, [view("lonely", "tent-x2", NOW - timedelta(hours=1))])

        result = await train(services)

        assert result.version is None
        assert result.message.startswith("too little data to train")
        assert await _versions(services) == []

    play(body)


def test_a_worse_candidate_is_registered_but_not_promoted(play: Play) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        assert (await train(services)).promoted

        worse = await train(services, candidates=[ItemPop()])

        assert worse.version == 2 and not worse.promoted
        assert worse.decision.startswith("not promoted:")
        assert await _champion(services) == 1
        second = (await _versions(services))[0]
        assert second.status == "candidate" and second.decision == worse.decision
        assert second.metrics["champion"]["version"] == 1

    play(body)


def test_promote_and_rollback_switch_the_champion(play: Play) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        await train(services)
        await train(services, candidates=[ItemPop()])

        change = await recs_registry.promote(services, 2)
        assert (change.before, change.after) == (1, 2)
        assert await _champion(services) == 2

        back = await recs_registry.rollback(services)
        assert (back.before, back.after) == (2, 1)
        assert await _champion(services) == 1
        assert [m.status for m in await _versions(services)] == ["retired", "champion"]
        with pytest.raises(recs_registry.RegistryError, match="nothing to roll back to"):
            await recs_registry.rollback(services)
        with pytest.raises(recs_registry.RegistryError, match="no recommendation model version 9"):
            await recs_registry.promote(services, 9)

    play(body)


def test_withdrawal_and_erasure_take_the_viewer_out_of_the_next_model(
    play: Play, clock: Clock
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        # One withdrawing viewer and one erased viewer each have a shelf nobody else browses.
        for name in ("quitter", "forgotten"):
            await consent(services, name)
            await send(
                services,
                [view(name, f"{name}-{i}", NOW - timedelta(hours=30 - i)) for i in range(6)],
            )
        assert (await train(services)).version == 1
        exported = await people.export(services, user("quitter"))
        assert exported["recommendationModels"] == [1]

        await consent(services, "quitter", recommendations=False)
        removed = await people.forget(services, user("forgotten"), requested_by="test")

        assert removed["recommendationModelViewers"] == 1
        (first,) = await _versions(services)
        assert first.retrain_due == NOW + timedelta(hours=24)
        assert "user:forgotten" not in await _viewers(services, 1)

        clock.now = NOW + timedelta(hours=1)
        second = await train(services, candidates=[ItemPop()])  # worse, yet it must replace v1
        assert second.promoted and "must be replaced" in second.decision
        assert await _champion(services) == 2
        trained_on = await _viewers(services, 2)
        assert "user:quitter" not in trained_on and "user:forgotten" not in trained_on
        items = set((await _model(services, 2)).item_ids)
        assert not {i for i in items if i.startswith(("quitter-", "forgotten-"))}
        with pytest.raises(recs_registry.RegistryError, match="withdrawn consent or been erased"):
            await recs_registry.rollback(services)

    play(body)


def test_withdrawing_after_logging_in_marks_models_trained_on_the_device(
    play: Play,
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        phone = Viewer(anonymous_id="phone")
        await services.record_consent(phone, Decisions(RECS, "test", None), gpc=False)
        events = [view("-", f"g1-{i}", NOW - timedelta(hours=9 - i)) for i in range(5)]
        for event in events:
            del event["userId"]
        await send(services, [{**e, "anonymousId": "phone"} for e in events])
        assert (await train(services)).version == 1
        assert "anon:phone" in await _viewers(services, 1)

        owner = Viewer(anonymous_id="phone", user_id="owner", device_is_users=True)
        await people.link_identity(services, owner)  # the phone's events move to user:owner
        await consent(services, "owner", recommendations=False)

        (first,) = await _versions(services)
        assert first.retrain_due == NOW + timedelta(hours=24)

    play(body)


def test_a_failure_while_registering_leaves_no_version(
    play: Play, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        services.settings = services.settings.model_copy(
            update={"recommend_artifact_dir": tmp_path}
        )

        def broken(directory: Path, name: str, data: bytes) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(registry, "_write_file", broken)
        with pytest.raises(OSError, match="disk full"):
            await train(services)

        assert await _versions(services) == []
        assert await _viewers(services, 1) == set()
        monkeypatch.undo()
        result = await train(services)
        assert result.promoted and await _champion(services) == result.version
        assert (tmp_path / f"recommendation-model-{result.version}.npz").is_file()
        async with services.db.session() as session:
            stored = await registry.read_artifact(session, result.version or 0, tmp_path)
        assert ServingModel.from_bytes(stored).recipe == result.recipe

    play(body)


def test_a_failure_while_promoting_registers_nothing_and_keeps_the_champion(
    play: Play, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        await train(services, candidates=[ItemPop()])

        async def broken(*args: object) -> None:
            raise RuntimeError("connection lost")

        monkeypatch.setattr(registry, "set_decision", broken)
        with pytest.raises(RuntimeError, match="connection lost"):
            await train(services)  # registered and promoted in one transaction that fails

        versions = await _versions(services)
        assert [(m.version, m.status) for m in versions] == [(1, "champion")]

    play(body)


def _meanwhile(monkeypatch: pytest.MonkeyPatch, services: Services, change: Body) -> None:
    """Run ``change`` after the window is read and the model fitted, before it registers."""
    real = recs_training._champion_model

    async def champion_then_change(services: Services) -> object:
        found = await real(services)
        await change(services)
        return found

    monkeypatch.setattr(recs_training, "_champion_model", champion_then_change)


def test_a_withdrawal_while_training_marks_the_new_version_and_keeps_it_out(
    play: Play, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(services: Services) -> None:
        await shop(services)

        async def withdraw(services: Services) -> None:
            await consent(services, "v0-0", recommendations=False)

        _meanwhile(monkeypatch, services, withdraw)
        result = await train(services)

        assert result.version == 1 and not result.promoted, result.decision
        assert "1 viewer(s) withdrew RECOMMENDATIONS" in result.decision
        (first,) = await _versions(services)
        assert first.retrain_due == NOW + timedelta(hours=24)
        assert first.status == "candidate" and first.decision == result.decision
        assert await _champion(services) is None
        with pytest.raises(recs_registry.RegistryError, match="withdrawn consent or been erased"):
            await recs_registry.promote(services, 1)

    play(body)


def test_a_withdrawal_committing_while_the_version_registers_still_marks_it(
    play: Play,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    database_url: str,
) -> None:
    """The narrowest window: the registration has read everyone's consent, and a withdrawal
    commits before the registration does. One of the two must see the other."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time, so the two cannot overlap there")

    async def body(services: Services) -> None:
        await shop(services)
        other = Services(settings)
        real = recs_registry.lapsed_since
        withdrawals: list[asyncio.Task[None]] = []

        async def read_then_withdraw(*args: Any) -> Any:
            lapsed = await real(*args)
            task = asyncio.create_task(consent(other, "v0-0", recommendations=False))
            withdrawals.append(task)
            async with services.db.session() as watcher:  # done, or waiting on the registration
                while not task.done() and not await watcher.scalar(
                    text("SELECT count(*) FROM pg_locks WHERE NOT granted")
                ):
                    await asyncio.sleep(0.01)  # polling a condition, with the loop free
            return lapsed

        monkeypatch.setattr(recs_registry, "lapsed_since", read_then_withdraw)
        try:
            result = await train(services)
            await withdrawals[0]
        finally:
            await other.aclose()
        (first,) = await _versions(services)
        assert result.version == 1 and first.retrain_due is not None, result.decision

    play(body)


def test_an_erasure_while_training_leaves_the_viewer_list_and_marks_the_version(
    play: Play, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(services: Services) -> None:
        names = await shop(services)

        async def erase(services: Services) -> None:
            await people.forget(services, user("v1-3"), requested_by="test")

        _meanwhile(monkeypatch, services, erase)
        result = await train(services)

        assert result.version == 1 and not result.promoted, result.decision
        assert "1 were erased while it trained" in result.decision
        (first,) = await _versions(services)
        assert first.retrain_due == NOW + timedelta(hours=24)
        assert await _viewers(services, 1) == {f"user:{n}" for n in names} - {"user:v1-3"}
        assert await _champion(services) is None

    play(body)


def test_a_device_merged_into_its_user_while_training_is_not_taken_for_erased(
    play: Play, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(services: Services) -> None:
        names = await shop(services)
        device = Viewer(anonymous_id="tablet")
        await services.record_consent(device, Decisions(RECS, "test", None), gpc=False)
        events = [view("v2-0", f"g2-{i}", NOW - timedelta(hours=9 - i)) for i in range(5)]
        for event in events:
            del event["userId"]
        await send(services, [{**e, "anonymousId": "tablet"} for e in events])

        async def log_in(services: Services) -> None:
            await people.link_identity(
                services, Viewer(anonymous_id="tablet", user_id="v2-0", device_is_users=True)
            )

        _meanwhile(monkeypatch, services, log_in)
        result = await train(services)

        assert result.promoted, result.decision
        trained_on = await _viewers(services, 1)
        assert trained_on == {f"user:{n}" for n in names} | {"anon:tablet"}
        assert (await _versions(services))[0].retrain_due is None

    play(body)


def test_a_champion_changed_by_hand_while_training_is_not_overridden(
    play: Play, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        assert (await train(services, candidates=[ItemPop()])).promoted
        assert not (await train(services, candidates=[ItemPop()], promote=False)).promoted

        async def promote_by_hand(services: Services) -> None:
            await recs_registry.promote(services, 2)

        _meanwhile(monkeypatch, services, promote_by_hand)
        third = await train(services)

        assert third.version == 3 and not third.promoted, third.decision
        assert third.decision.startswith("not promoted: the champion changed from v1 to v2")
        assert await _champion(services) == 2
        assert (await _versions(services))[0].decision == third.decision

    play(body)


def test_the_promotion_is_announced_once_committed(
    play: Play, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(services: Services) -> None:
        await shop(services)
        seen: list[int | None] = []
        real = services.model_bus.publish

        async def publish() -> None:
            seen.append(await _champion(services))  # what another process reads now
            await real()

        monkeypatch.setattr(services.model_bus, "publish", publish)
        result = await train(services)

        assert result.promoted and seen == [1]

    play(body)
