"""`upsertTrigger` and `deleteTrigger` (secret key).

The input is checked by the same parser as a triggers file, so an error names the bad node
the same way (``input.when.all[1].count``) whichever way a team manages its triggers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.permission import PermissionExtension
from strawberry.scalars import JSON

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError, check_json
from veneer.graphql.permissions import IsSecretKey
from veneer.graphql.triggers.types import Trigger
from veneer.store import triggers as store
from veneer.triggers import TriggerError, parse_trigger
from veneer.triggers.definition import sensitive_uses, unknown_segments


@strawberry.input(description="What the offer shows: an entry or inline content.")
class OfferInput:
    placement: str
    entry: strawberry.ID | None = None
    content: JSON | None = None
    params: JSON | None = None


@strawberry.input
class CapsInput:
    per_day: int | None = None
    per_week: int | None = None


@strawberry.input(description="A trigger, as a triggers file writes it.")
class TriggerInput:
    key: str
    name: str | None = None
    when: JSON | None = strawberry.field(
        default=None, description="A rule in the segment rule language."
    )
    page: JSON | None = strawberry.field(
        default=None,
        description='Conditions on the current page: {"timeOnPage": {"gte": 120}, '
        '"contentType": "product", "entry": "tent-x2", "similarViewed": {"gte": 1}}.',
    )
    offer: OfferInput
    caps: CapsInput | None = None
    priority: int = 0
    cooldown: str | None = strawberry.field(
        default=None, description="How long a dismissal keeps the offer away (30m, 48h, 3d)."
    )
    start: datetime | None = None
    end: datetime | None = None
    experiment: str | None = None


def _as_spec(given: TriggerInput) -> dict[str, Any]:
    """The input in a triggers file's shape (None left out, as the file would)."""
    offer = {
        "placement": given.offer.placement,
        "entry": None if given.offer.entry is None else str(given.offer.entry),
        "content": given.offer.content,
        "params": given.offer.params,
    }
    spec: dict[str, Any] = {
        "key": given.key,
        "name": given.name,
        "when": given.when,
        "page": given.page,
        "offer": {k: v for k, v in offer.items() if v is not None},
        "priority": given.priority,
        "cooldown": given.cooldown,
        "start": given.start,
        "end": given.end,
        "experiment": given.experiment,
    }
    if given.caps is not None:
        caps = {"perDay": given.caps.per_day, "perWeek": given.caps.per_week}
        spec["caps"] = {k: v for k, v in caps.items() if v is not None}
    return {k: v for k, v in spec.items() if v is not None}


@strawberry.type
class TriggerMutations:
    @strawberry.mutation(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Create or replace a trigger.",
    )
    async def upsert_trigger(self, info: Info, input: TriggerInput) -> Trigger:
        for name in ("when", "page"):
            check_json(f"input.{name}", getattr(input, name))
        if input.offer is not None:
            for name in ("content", "params"):
                check_json(f"input.offer.{name}", getattr(input.offer, name))
        services = info.context.services
        try:
            parsed = parse_trigger(_as_spec(input), "input")
            known = set(await services.segment_definitions(fresh=True))
            unknown_segments([parsed], known, base="")
            sensitive_uses([parsed], services.settings.sensitive(), base="")
        except TriggerError as exc:
            raise UserInputError("input", str(exc), path=exc.path) from exc
        async with services.db.session() as session:
            await store.upsert_trigger(session, parsed.key, parsed.spec, services.clock())
        await services.triggers_changed()
        return Trigger(trigger=parsed)

    @strawberry.mutation(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Delete a trigger (its waiting offers too); false if there was none.",
    )
    async def delete_trigger(self, info: Info, key: str) -> bool:
        services = info.context.services
        async with services.db.session() as session:
            deleted = await store.delete_trigger(session, key)
        await services.triggers_changed()
        return deleted
