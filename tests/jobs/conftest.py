"""What the recommendation job tests share: a clock they move by hand, and ``play``, which
runs a test's body in one event loop with `Services` made and closed inside it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

import pytest

from tests.jobs.recs_shop import Clock
from veneer.services import Services
from veneer.settings import Settings

Body = Callable[[Services], Awaitable[None]]


class Play(Protocol):
    def __call__(self, body: Body, settings: Settings | None = None) -> None: ...


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def play(settings: Settings, clock: Clock) -> Play:
    """``play(body)``, or ``play(body, other_settings)`` for settings a test changed."""

    def run(body: Body, changed: Settings | None = None) -> None:
        async def main() -> None:
            services = Services(changed or settings, clock=clock)
            try:
                await body(services)
            finally:
                await services.aclose()

        asyncio.run(main())

    return run
