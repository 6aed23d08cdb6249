"""Making saved definitions (triggers, placements) what a file says, or showing what would.

The plan is made against the stored definitions inside the transaction that applies it, so
what is printed is what happened, even if someone saved one meanwhile.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from veneer.services import Services
from veneer.triggers.plan import Plan, Specified, plan


class Row(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def spec(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class DefinitionStore:
    """Where one kind of definition is saved: its store module's three functions."""

    read: Callable[[AsyncSession], Awaitable[Sequence[Row]]]
    upsert: Callable[[AsyncSession, str, Mapping[str, Any], datetime], Awaitable[object]]
    delete: Callable[[AsyncSession, str], Awaitable[bool]]


async def apply_definitions(
    services: Services, store: DefinitionStore, wanted: Sequence[Specified], dry_run: bool
) -> Plan:
    """Add, change and remove saved definitions to match ``wanted`` (unless ``dry_run``)."""
    if dry_run:
        async with services.db.reading() as session:
            stored = {row.key: row.spec for row in await store.read(session)}
        return plan(stored, wanted)
    async with services.db.session() as session:
        stored = {row.key: row.spec for row in await store.read(session)}
        result = plan(stored, wanted)
        now = services.clock()
        for definition in wanted:
            if definition.key in result.added or definition.key in result.changed:
                await store.upsert(session, definition.key, definition.spec, now)
        for key in result.removed:
            await store.delete(session, key)
    return result


async def saved_specs(services: Services, store: DefinitionStore) -> list[dict[str, Any]]:
    """Every saved definition's spec, by key: a file that applies as no change."""
    async with services.db.reading() as session:
        return [dict(row.spec) for row in await store.read(session)]
