"""`Entry`, its `Personalization`, and the Relay connection over entries."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from veneer.entries import Entry as DomainEntry
from veneer.graphql.context import Info
from veneer.graphql.enums import Purpose
from veneer.graphql.pagination import PageInfo
from veneer.variants.choice import merged_fields


@strawberry.type(description="Why this viewer sees this version of the entry.")
class Personalization:
    baseline: bool
    variant_id: strawberry.ID | None
    reason: str
    segments: list[str] = strawberry.field(
        description="The viewer's segments that picked the variant."
    )
    purposes: list[Purpose] = strawberry.field(
        description="The consent purposes this choice relied on."
    )


@strawberry.type(description="A CMS entry, with the variant chosen for the viewer.")
class Entry:
    entry: strawberry.Private[DomainEntry]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.entry.id)

    @strawberry.field
    def content_type(self) -> str:
        return self.entry.content_type

    @strawberry.field
    def slug(self) -> str | None:
        return self.entry.slug

    @strawberry.field
    def locale(self) -> str | None:
        return self.entry.locale

    @strawberry.field
    def updated_at(self) -> datetime | None:
        return self.entry.updated_at

    @strawberry.field(description="The chosen variant's fields merged over the baseline.")
    async def fields(self, info: Info) -> JSON:
        choice = await info.context.choice(self.entry)
        return JSON(dict(merged_fields(self.entry, choice)))

    @strawberry.field(description="One field of `fields`, or null if the entry has none.")
    async def field(self, info: Info, name: str) -> JSON | None:
        choice = await info.context.choice(self.entry)
        value = merged_fields(self.entry, choice).get(name)
        return None if value is None else JSON(value)

    @strawberry.field
    async def personalization(self, info: Info) -> Personalization:
        choice = await info.context.choice(self.entry)
        return Personalization(
            baseline=choice.baseline,
            variant_id=strawberry.ID(choice.variant.id) if choice.variant else None,
            reason=choice.reason,
            segments=list(choice.segments),
            purposes=list(choice.purposes),
        )


@strawberry.type
class EntryEdge:
    cursor: str
    node: Entry


@strawberry.type
class EntryConnection:
    edges: list[EntryEdge]
    page_info: PageInfo
