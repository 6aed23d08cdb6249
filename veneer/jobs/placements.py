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
from veneer.placements.definition import Placement, PlacementError
from veneer.services import Services
from veneer.store import placements as store
from veneer.triggers.plan import Plan, plan

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


async def apply_placements(services: Services, wanted: Sequence[Placement], dry_run: bool) -> Plan:
    """Add, change and remove saved placements to match ``wanted`` (unless ``dry_run``)."""
    for index, placement in enumerate(wanted):
        await check_placement(services, placement, f"placements[{index}]")
    if dry_run:
        async with services.db.reading() as session:
            stored = {row.key: row.spec for row in await store.list_placements(session)}
        return plan(stored, wanted)
    async with services.db.session() as session:
        stored = {row.key: row.spec for row in await store.list_placements(session)}
        result = plan(stored, wanted)
        now = services.clock()
        for placement in wanted:
            if placement.key in result.added or placement.key in result.changed:
                await store.upsert_placement(session, placement.key, placement.spec, now)
        for key in result.removed:
            await store.delete_placement(session, key)
    if result.has_changes:
        await services.placements_changed()
    return result


async def saved_specs(services: Services) -> list[dict[str, Any]]:
    """Every saved placement's spec: a placements file that applies as no change."""
    async with services.db.reading() as session:
        return [dict(row.spec) for row in await store.list_placements(session)]


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
