"""`Offer` (what a viewer is offered, and why) and `Trigger` (what makes an offer)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from veneer.content_adapters import ContentError
from veneer.graphql.context import Info
from veneer.graphql.entries.types import Entry, GenericEntry
from veneer.graphql.errors import content_error
from veneer.triggers import Offer as DomainOffer
from veneer.triggers import Trigger as DomainTrigger
from veneer.variants.coverage import OFFER_STRATEGY


@strawberry.type(description="An offer a trigger made the viewer, with why it fired.")
class Offer:
    offer: strawberry.Private[DomainOffer]

    @strawberry.field(description="The key of the trigger that made the offer.")
    def trigger(self) -> str:
        return self.offer.trigger

    @strawberry.field
    def placement(self) -> str:
        return self.offer.placement

    @strawberry.field(
        description="The CMS entry to show, with the variant chosen for the viewer; null for "
        "an offer with inline `content`, or when the entry is gone from the CMS."
    )
    async def entry(self, info: Info) -> Entry | None:
        if self.offer.entry is None:
            return None
        try:
            found = await info.context.services.content.get_entry(self.offer.entry)
        except ContentError as exc:
            raise content_error(exc) from exc
        if found is None:
            return None
        await info.context.viewer_state()  # the entry's variant is the viewer's
        info.context.shown(found, OFFER_STRATEGY + self.offer.trigger)  # counted as an offer
        return GenericEntry.from_domain(found)

    @strawberry.field(description="Inline content given instead of an entry.")
    def content(self) -> JSON | None:
        return None if self.offer.content is None else JSON(dict(self.offer.content))

    @strawberry.field(description="Parameters such as a discount code.")
    def params(self) -> JSON | None:
        return JSON(dict(self.offer.params))

    @strawberry.field(description="Why the offer fired, in plain words.")
    def reason(self) -> str:
        return self.offer.reason


@strawberry.type(description="Caps on how often one viewer is served a trigger's offer.")
class Caps:
    per_day: int | None = strawberry.field(description="In any 24 hours.")
    per_week: int | None = strawberry.field(description="In any 7 days.")


@strawberry.type(description="A named rule that makes an offer (secret key).")
class Trigger:
    trigger: strawberry.Private[DomainTrigger]

    @strawberry.field(description="The key, as the id client caches know a trigger by.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.trigger.key)

    @strawberry.field
    def key(self) -> str:
        return self.trigger.key

    @strawberry.field
    def name(self) -> str | None:
        return self.trigger.name

    @strawberry.field(description="The rule over the viewer (segment rule language).")
    def when(self) -> JSON | None:
        value = self.trigger.spec.get("when")
        return None if value is None else JSON(value)

    @strawberry.field(description="Conditions on the viewer's current page.")
    def page(self) -> JSON | None:
        value = self.trigger.spec.get("page")
        return None if value is None else JSON(value)

    @strawberry.field(description="The offer: placement, entry or content, params.")
    def offer(self) -> JSON:
        return JSON(self.trigger.spec["offer"])

    @strawberry.field
    def caps(self) -> Caps:
        return Caps(per_day=self.trigger.per_day, per_week=self.trigger.per_week)

    @strawberry.field(description="Higher first when several offers fire.")
    def priority(self) -> int:
        return self.trigger.priority

    @strawberry.field(description="How long a dismissal keeps the offer away, e.g. 3d.")
    def cooldown(self) -> str | None:
        value = self.trigger.spec.get("cooldown")
        return None if value is None else str(value)

    @strawberry.field
    def start(self) -> datetime | None:
        return self.trigger.start

    @strawberry.field
    def end(self) -> datetime | None:
        return self.trigger.end

    @strawberry.field(description="The experiment whose control arm does not see the offer.")
    def experiment(self) -> str | None:
        return self.trigger.experiment

    @strawberry.field(description="The whole definition, as a triggers file holds it.")
    def definition(self) -> JSON:
        return JSON(dict(self.trigger.spec))
