"""Without Redis the upkeep lease is a database row: the CLI beside the embedded server, or
two servers on one PostgreSQL, never run the same upkeep at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.jobs.recs_shop import NOW, Clock
from veneer.jobs.lease import HOLD_SECONDS, only_one
from veneer.jobs.recs_training import train
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import leases


def test_a_second_process_is_told_another_holds_the_lease_until_it_is_given_back(
    settings: Settings,
) -> None:
    assert settings.redis_url is None

    async def main() -> None:
        server, terminal = Services(settings), Services(settings)
        try:
            async with only_one(server, "recs-training") as mine:
                assert mine
                async with only_one(terminal, "recs-training") as theirs:
                    assert not theirs
                result = await train(terminal)
                assert result.version is None
                assert "another process is training" in result.message
                async with only_one(terminal, "popularity") as other_upkeep:
                    assert other_upkeep  # one lease per upkeep
            async with only_one(terminal, "recs-training") as now_theirs:
                assert now_theirs
        finally:
            await server.aclose()
            await terminal.aclose()

    asyncio.run(main())


def test_work_that_fails_gives_the_lease_back(settings: Settings) -> None:
    async def main() -> None:
        services = Services(settings)
        try:
            with pytest.raises(RuntimeError, match="out of memory"):
                async with only_one(services, "propensity") as mine:
                    assert mine
                    raise RuntimeError("out of memory")
            async with only_one(services, "propensity") as again:
                assert again
        finally:
            await services.aclose()

    asyncio.run(main())


def test_the_lease_of_a_process_that_was_killed_expires(settings: Settings) -> None:
    clock = Clock()

    async def main() -> None:
        services = Services(settings, clock=clock)
        try:
            async with services.db.session() as session:  # taken, never given back
                hold = timedelta(seconds=HOLD_SECONDS)
                assert await leases.take(session, "segment-sweep", "killed", NOW, hold)
            async with only_one(services, "segment-sweep") as mine:
                assert not mine
            clock.now = NOW + timedelta(seconds=HOLD_SECONDS + 1)
            async with only_one(services, "segment-sweep") as mine:
                assert mine
        finally:
            await services.aclose()

    asyncio.run(main())
