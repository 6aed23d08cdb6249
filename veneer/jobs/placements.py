"""Saving placements: checked against the CMS and the templates, then stored.

A definition is checked as plain data when parsed; here it is checked against what only a
running deployment knows: that its content types and entries exist in the CMS and that the
template it names is one Veneer (or the team's template directory) has. `apply_placements`
makes the saved placements what a file says, as `veneer triggers apply` does for triggers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veneer.content_adapters import ContentError
from veneer.jobs import definition_files
from veneer.jobs.definition_files import DefinitionStore, apply_definitions
from veneer.placements.definition import Placement, PlacementError
from veneer.services import Services
from veneer.store import placements as store
from veneer.triggers.plan import Plan

DEMO_PLACEMENTS: tuple[Placement, ...] = (
    Placement(key="hero", strategy="variant", entries=("tent-x2",)),
    Placement(key="recommended", strategy="recommendations", first=4),
)


async def check_placement(services: Services, placement: Placement, prefix: str = "") -> None:
    """Raise `PlacementError` for a content type, entry or template that does not exist.

    A CMS that does not answer is the caller's `ContentError`: the check is not skipped,
    since a placement saved unchecked would fail every viewer later.
    """

    def where(name: str) -> str:
        return f"{prefix}.{name}" if prefix else name

    if placement.content_types:
        known = await services.content.content_types()
        for index, content_type in enumerate(placement.content_types):
            if content_type not in known:
                raise PlacementError(
                    f"{where('contentTypes')}[{index}]",
                    f"unknown content type {content_type!r}; known: {', '.join(sorted(known))}",
                )
    for index, entry_id in enumerate(placement.entries):
        if await services.content.get_entry(entry_id) is None:
            raise PlacementError(f"{where('entries')}[{index}]", f"no entry {entry_id!r}")
    if placement.template is not None and not services.templates.has(placement.template):
        raise PlacementError(
            where("template"),
            f"no template blocks/{placement.template}.html in Veneer or in VENEER_TEMPLATES",
        )


async def save_placement(services: Services, placement: Placement) -> Placement:
    await check_placement(services, placement)
    async with services.db.session() as session:
        await store.upsert_placement(session, placement.key, placement.spec, services.clock())
    await services.placements_changed()
    return placement


async def delete_placement(services: Services, key: str) -> bool:
    async with services.db.session() as session:
        deleted = await store.delete_placement(session, key)
    await services.placements_changed()
    return deleted


PLACEMENTS = DefinitionStore(store.list_placements, store.upsert_placement, store.delete_placement)


async def apply_placements(services: Services, wanted: Sequence[Placement], dry_run: bool) -> Plan:
    """Add, change and remove saved placements to match ``wanted`` (unless ``dry_run``)."""
    for index, placement in enumerate(wanted):
        await check_placement(services, placement, f"placements[{index}]")
    result = await apply_definitions(services, PLACEMENTS, wanted, dry_run)
    if result.has_changes and not dry_run:
        await services.placements_changed()
    return result


async def saved_specs(services: Services) -> list[dict[str, Any]]:
    """Every saved placement's spec: a placements file that applies as no change."""
    return await definition_files.saved_specs(services, PLACEMENTS)


async def seed_demo_placements(services: Services) -> int:
    """Add the demo's placements that are missing; one a team edited is left as it is."""
    existing = await services.placements(fresh=True)
    added = 0
    for placement in DEMO_PLACEMENTS:
        if placement.key not in existing:
            try:
                await save_placement(services, placement)
            except (PlacementError, ContentError):
                continue  # the demo's content is not there (another CMS): nothing to show
            added += 1
    return added
