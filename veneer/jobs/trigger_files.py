"""`veneer triggers apply` and `export`: make the saved triggers what a file says, show what
that would change, or write the saved ones as a file.

The plan is made against the stored triggers inside the transaction that applies it, so
what is printed is what happened, even if someone saved a trigger meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veneer.services import Services
from veneer.store import triggers as store
from veneer.triggers import Trigger
from veneer.triggers.definition import unknown_segments
from veneer.triggers.plan import Plan, plan


async def apply_triggers(services: Services, wanted: Sequence[Trigger], dry_run: bool) -> Plan:
    """Add, change and remove saved triggers to match ``wanted`` (unless ``dry_run``).

    Raises `TriggerError` for a rule naming a segment that does not exist.
    """
    unknown_segments(list(wanted), set(await services.segment_definitions(fresh=True)))
    if dry_run:
        async with services.db.reading() as session:
            stored = {row.key: row.spec for row in await store.list_triggers(session)}
        return plan(stored, wanted)
    async with services.db.session() as session:
        stored = {row.key: row.spec for row in await store.list_triggers(session)}
        result = plan(stored, wanted)
        now = services.clock()
        for trigger in wanted:
            if trigger.key in result.added or trigger.key in result.changed:
                await store.upsert_trigger(session, trigger.key, trigger.spec, now)
        for key in result.removed:
            await store.delete_trigger(session, key)
    if result.has_changes:
        await services.triggers_changed()
    return result


async def saved_specs(services: Services) -> list[dict[str, Any]]:
    """Every saved trigger's spec, by key: a triggers file that applies as no change."""
    async with services.db.reading() as session:
        return [dict(row.spec) for row in await store.list_triggers(session)]
