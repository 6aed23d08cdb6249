"""A membership refresh that fails leaves nothing behind on its pooled connection.

Refreshes decide into temporary tables, which belong to the database connection; one left
over by a failure used to make every later refresh on that connection fail until a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import DataError

from veneer.identity.viewer import Viewer
from veneer.segments.rules import Rule, parse_rule
from veneer.settings import Settings
from veneer.store import Database, memberships
from veneer.store.models import utcnow
from veneer.store.profiles import merge_traits
from veneer.store.segment_sql import Clock

CLOCK = Clock(datetime(2026, 11, 26, 12, tzinfo=UTC), timedelta(days=90))
ADULTS = parse_rule({"trait": "age", "op": "gte", "value": 18})
# Parses, but no database can bind the number: what the GraphQL edge now refuses to save.
UNBINDABLE = parse_rule({"trait": "age", "op": "gt", "value": 2**70})
ANN = Viewer(anonymous_id="ann")


def _run(settings: Settings, scenario: Callable[[Database], Awaitable[None]]) -> None:
    async def run() -> None:
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                await merge_traits(session, ANN, {"age": 30}, utcnow())
            await scenario(db)
        finally:
            await db.dispose()

    asyncio.run(run())


async def _refresh(db: Database, rules: dict[str, Rule]) -> tuple[int, int]:
    async with db.session() as session:
        return await memberships.refresh_profiles(session, rules, rules, CLOCK, [ANN.id])


def test_a_failure_while_deciding_leaves_no_table_behind(settings: Settings) -> None:
    """The database's own complaint reaches the caller, and the next refresh works."""
    sqlite = settings.database_url.startswith("sqlite")

    async def scenario(db: Database) -> None:
        with pytest.raises(OverflowError if sqlite else DataError):
            await _refresh(db, {"huge": UNBINDABLE})
        assert await _refresh(db, {"adults": ADULTS}) == (1, 0)

    _run(settings, scenario)


def test_a_failure_while_recording_moves_leaves_no_table_behind(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure with all three scratch tables made (decided, entering, leaving)."""

    async def broken(*_args: object) -> dict[str, int]:
        raise RuntimeError("injected failure while counting moves")

    async def scenario(db: Database) -> None:
        assert await _refresh(db, {"adults": ADULTS}) == (1, 0)
        async with db.session() as session:
            await merge_traits(session, ANN, {"age": 12}, utcnow())
        with monkeypatch.context() as patch:
            patch.setattr(memberships, "_per_segment", broken)
            with pytest.raises(RuntimeError, match="injected"):
                await _refresh(db, {"adults": ADULTS})
        assert await _refresh(db, {"adults": ADULTS}) == (0, 1)

    _run(settings, scenario)
