"""Old model versions give up their artifacts and viewer lists, keeping their figures, so a
daily training does not grow the database without end; what may still serve is kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.jobs.conftest import Play
from tests.jobs.recs_shop import NOW
from veneer.jobs import recs_registry
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import recommendation_models as registry


async def trained(services: Services, count: int, directory: Path | None = None) -> None:
    """``count`` versions, each promoted over the one before (v1 first)."""
    for number in range(1, count + 1):
        async with services.db.session() as session:
            version = await registry.register(
                session,
                recipe="EASE",
                created_at=NOW,
                metrics={"chosen": {"precision@10": 0.1 * number}},
                params={},
                data_window={},
                decision="trained",
                viewers=[f"user:v{number}", "user:everyone"],
                artifact=f"model {number}".encode(),
                directory=directory,
            )
            await registry.promote(session, version, NOW + timedelta(minutes=number))


async def statuses(services: Services) -> dict[int, str]:
    async with services.db.session() as session:
        return {
            v.version: v.status + (" pruned" if v.pruned_at else "")
            for v in await registry.list_versions(session)
        }


def test_the_champion_its_rollback_steps_and_the_newest_keep_their_artifacts(
    play: Play, settings: Settings
) -> None:
    keep_two = settings.model_copy(update={"recommend_keep_versions": 2})

    async def body(services: Services) -> None:
        await trained(services, 7)
        assert await recs_registry.prune(services) == [1, 2, 3, 4]
        assert await statuses(services) == {
            7: "champion",
            6: "retired",
            5: "retired",
            **{v: "retired pruned" for v in (1, 2, 3, 4)},
        }
        assert await recs_registry.prune(services) == []  # nothing more to do
        async with services.db.session() as session:
            with pytest.raises(registry.RegistryError, match="version 3 was pruned"):
                await registry.read_artifact(session, 3, None)
            assert await registry.viewers_of(session, 3) == set()  # nobody's data any more
            assert await registry.viewers_of(session, 6) == {"user:v6", "user:everyone"}
            (old,) = [v for v in await registry.list_versions(session) if v.version == 3]
            assert old.metrics["chosen"]["precision@10"] == pytest.approx(0.3)
        with pytest.raises(registry.RegistryError, match="cannot promote version 2: it was pruned"):
            await recs_registry.promote(services, 2)
        await recs_registry.rollback(services)
        await recs_registry.rollback(services)
        async with services.db.session() as session:
            assert await registry.read_artifact(session, 5, None) == b"model 5"

    play(body, keep_two)


def test_a_rollback_step_marked_for_replacement_is_not_kept_for_it(
    play: Play, settings: Settings
) -> None:
    keep_one = settings.model_copy(update={"recommend_keep_versions": 1})

    async def body(services: Services) -> None:
        await trained(services, 3)
        async with services.db.session() as session:  # v2 trained on them, and v3
            await registry.mark_retrain_due(
                session, ["user:v2", "user:v3"], NOW + timedelta(days=1)
            )
        # v2, one rollback step back, can never serve again; v1 is not a step within one
        assert await recs_registry.prune(services) == [1, 2]
        assert await statuses(services) == {3: "champion", 2: "retired pruned", 1: "retired pruned"}

    play(body, keep_one)


def test_artifact_files_go_only_once_the_pruning_committed(
    play: Play, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_files = settings.model_copy(
        update={"recommend_keep_versions": 1, "recommend_artifact_dir": tmp_path / "models"}
    )

    async def body(services: Services) -> None:
        await trained(services, 4, tmp_path / "models")
        files = {p.name for p in (tmp_path / "models").iterdir()}
        assert len(files) == 4

        def broken(*_args: object) -> None:
            raise RuntimeError("connection lost")

        with monkeypatch.context() as patch:  # the transaction fails after marking the rows
            patch.setattr(registry, "delete", broken)
            with pytest.raises(RuntimeError, match="connection lost"):
                await recs_registry.prune(services)
        assert {p.name for p in (tmp_path / "models").iterdir()} == files
        assert "pruned" not in " ".join((await statuses(services)).values())

        assert await recs_registry.prune(services) == [1, 2]
        assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [
            "recommendation-model-3.npz",
            "recommendation-model-4.npz",
        ]

    play(body, in_files)
