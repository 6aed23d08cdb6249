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
    """Plain attributes resolve without a resolver call each, which a 20-entry page feels."""

    entry: strawberry.Private[DomainEntry]
    id: strawberry.ID
    content_type: str
    slug: str | None
    locale: str | None
    updated_at: datetime | None

    @classmethod
    def from_domain(cls, entry: DomainEntry) -> Entry:
        return cls(
            entry=entry,
            id=strawberry.ID(entry.id),
            content_type=entry.content_type,
            slug=entry.slug,
            locale=entry.locale,
            updated_at=entry.updated_at,
        )

    @strawberry.field(description="The chosen variant's fields merged over the baseline.")
    def fields(self, info: Info) -> JSON:
        choice = info.context.choice(self.entry)
        return JSON(dict(merged_fields(self.entry, choice)))

    @strawberry.field(description="One field of `fields`, or null if the entry has none.")
    def field(self, info: Info, name: str) -> JSON | None:
        choice = info.context.choice(self.entry)
        value = merged_fields(self.entry, choice).get(name)
        return None if value is None else JSON(value)

    @strawberry.field
    def personalization(self, info: Info) -> Personalization:
        choice = info.context.choice(self.entry)
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
