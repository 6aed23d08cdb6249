"""`veneer triggers apply` and `export`: make the saved triggers what a file says, show what
that would change, or write the saved ones as a file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veneer.jobs import definition_files
from veneer.jobs.definition_files import DefinitionStore, apply_definitions
from veneer.services import Services
from veneer.store import triggers as store
from veneer.triggers import Trigger
from veneer.triggers.definition import sensitive_uses, unknown_segments
from veneer.triggers.plan import Plan

TRIGGERS = DefinitionStore(store.list_triggers, store.upsert_trigger, store.delete_trigger)


async def apply_triggers(services: Services, wanted: Sequence[Trigger], dry_run: bool) -> Plan:
    """Add, change and remove saved triggers to match ``wanted`` (unless ``dry_run``).

    Raises `TriggerError` for a rule naming a segment that does not exist, or testing
    special-category data the deployment has not allowed.
    """
    unknown_segments(list(wanted), set(await services.segment_definitions(fresh=True)))
    sensitive_uses(list(wanted), services.settings.sensitive())
    result = await apply_definitions(services, TRIGGERS, wanted, dry_run)
    if result.has_changes and not dry_run:
        await services.triggers_changed()
    return result


async def saved_specs(services: Services) -> list[dict[str, Any]]:
    """Every saved trigger's spec, by key: a triggers file that applies as no change."""
    return await definition_files.saved_specs(services, TRIGGERS)
