"""The `Entry` interface and `GenericEntry`, `Personalization`, and the connection over entries.

`Entry` is an interface so that one entry is one object in a client's normalized cache: an
entry of a content type with typed fields is a `Product` (say) wherever it appears, in
`entries`, `entry` and `products` alike, with the same id. Entries of content types the
schema has no typed fields for are a `GenericEntry`.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import ClassVar

import strawberry
from graphql import GraphQLAbstractType, GraphQLResolveInfo
from strawberry.scalars import JSON
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import get_object_definition

from veneer.content_model import pascal
from veneer.entries import Entry as DomainEntry
from veneer.graphql.context import Context, Info
from veneer.graphql.enums import Purpose
from veneer.graphql.pagination import PageInfo
from veneer.graphql.recommendations import serving
from veneer.identity.opaque_ids import opaque_id
from veneer.recommend.candidates import Candidate
from veneer.variants.choice import Choice, merged_fields

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF  # a GraphQL type's strawberry definition


@strawberry.type(description="An experiment and the arm the viewer is in.")
class ExperimentAssignment:
    key: str
    arm: str


@strawberry.type(description="Why this viewer sees this version of the entry.")
class Personalization:
    entry: strawberry.Private[DomainEntry]
    baseline: bool
    variant_id: strawberry.ID | None
    reason: str
    segments: list[str] = strawberry.field(
        description="The viewer's segments that picked the variant."
    )
    purposes: list[Purpose] = strawberry.field(
        description="The consent purposes this choice relied on."
    )
    experiment: ExperimentAssignment | None = strawberry.field(
        default=None,
        description="The experiment that decided what this viewer sees of the entry, and "
        "their arm (`control` sees the baseline). Null when no running experiment enrols them.",
    )
    strategy: str | None = strawberry.field(
        default=None,
        description="What chose this entry for the viewer when Veneer chose it: the "
        "recommendation strategy or model (`similar`, `similar-to-history`, "
        "`popular-in-segment`, `popular`, `recent`; `explore` for an entry from outside the "
        "viewer's usual picks, which a share of every list is). Null for an entry the client "
        "asked for by id or in a list; its variant is told by `variantId` and `baseline`.",
    )

    @strawberry.field(
        description="The same for this entry (and locale) and this viewer in every request, "
        "different for anyone else; opaque, so it does not reveal who the viewer is. A "
        "recommended entry's also depends on why it was recommended, so a client cache "
        "keeps it apart from the entry's own."
    )
    def id(self, info: Info) -> strawberry.ID:
        context = info.context
        viewer = context.principal.viewer
        why = () if self.strategy is None else (self.strategy, self.reason)
        return strawberry.ID(
            opaque_id(
                context.services.settings.signing_secret(),
                "Personalization",
                None if viewer is None else viewer.id,
                self.entry.id,
                self.entry.locale,
                *why,
            )
        )

    @classmethod
    def of(cls, entry: DomainEntry, choice: Choice, picked: Candidate | None) -> Personalization:
        """A recommended entry's reason says why it was chosen, then which variant shows."""
        reason, strategy = choice.reason, None
        if picked is not None:
            strategy = picked.strategy
            reason = picked.reason_with(choice.reason, choice.baseline)
        return cls(
            entry=entry,
            baseline=choice.baseline,
            variant_id=strawberry.ID(choice.variant.id) if choice.variant else None,
            reason=reason,
            segments=list(choice.segments),
            purposes=list(choice.purposes),
            experiment=None
            if choice.experiment is None
            else ExperimentAssignment(key=choice.experiment[0], arm=choice.experiment[1]),
            strategy=strategy,
        )


@functools.lru_cache(maxsize=256)
def _type_name(content_type: str) -> str:
    """The name the content model gives a content type's typed implementation, if it has one."""
    return pascal(content_type)


@strawberry.interface(
    description="A CMS entry, with the variant chosen for the viewer. An entry of a content "
    "type with typed fields is of that type (`Product`), wherever it appears; others are a "
    "`GenericEntry`."
)
class Entry:
    """Plain attributes resolve without a resolver call each, which a 20-entry page feels."""

    typed_for: ClassVar[str | None] = None  # the content type a typed implementation serves
    entry: strawberry.Private[DomainEntry]
    id: strawberry.ID
    content_type: str
    slug: str | None
    locale: str | None
    updated_at: datetime | None
    picked: strawberry.Private[Candidate | None] = None  # why Veneer recommended it, if it did

    @classmethod
    def from_domain(cls, entry: DomainEntry, picked: Candidate | None = None) -> Entry:
        return cls(
            entry=entry,
            id=strawberry.ID(entry.id),
            content_type=entry.content_type,
            slug=entry.slug,
            locale=entry.locale,
            updated_at=entry.updated_at,
            picked=picked,
        )

    @classmethod
    def resolve_type(
        cls, obj: Entry, info: GraphQLResolveInfo[Context], abstract_type: GraphQLAbstractType
    ) -> str:
        """The typed implementation for the entry's content type, if the schema has one.

        The schema follows the content model, so this asks the schema the request runs
        against; strawberry lets any `Entry` stand for each of its implementations.
        """
        typed = info.schema.get_type(_type_name(obj.content_type))
        if typed is not None:
            origin = getattr(typed.extensions.get(BACKREF), "origin", None)
            if getattr(origin, "typed_for", None) == obj.content_type:  # not a name clash
                return typed.name
        return get_object_definition(obj, strict=True).name

    def shown(self, context: Context) -> Choice:
        """The variant choice, as the viewer is shown it: counted for coverage once."""
        return context.shown(self.entry, None if self.picked is None else self.picked.strategy)

    @strawberry.field(description="The chosen variant's fields merged over the baseline.")
    def fields(self, info: Info) -> JSON:
        return JSON(dict(merged_fields(self.entry, self.shown(info.context))))

    @strawberry.field(description="One field of `fields`, or null if the entry has none.")
    def field(self, info: Info, name: str) -> JSON | None:
        value = merged_fields(self.entry, self.shown(info.context)).get(name)
        return None if value is None else JSON(value)

    @strawberry.field
    def personalization(self, info: Info) -> Personalization:
        return Personalization.of(self.entry, self.shown(info.context), self.picked)

    @strawberry.field(
        description="Entries for the viewer to see next to this one, each with the variant "
        "chosen for them and `personalization.reason` and `strategy` saying why it was "
        "recommended. Personalized only with RECOMMENDATIONS consent; never this entry, "
        "nor what the viewer bought."
    )
    async def recommendations(
        self, info: Info, first: int = 5, content_types: list[str] | None = None
    ) -> list[Entry]:
        picked = await serving.recommendations(info, self.entry, first, content_types)
        return [GenericEntry.from_domain(entry, why) for entry, why in picked]

    @strawberry.field(
        description="Entries most like this one in their words and tags (TF-IDF, cosine), "
        "with no viewer data; works for an entry nobody has seen yet."
    )
    async def similar(self, info: Info, first: int = 5) -> list[Entry]:
        picked = await serving.similar(info, self.entry, first)
        return [GenericEntry.from_domain(entry, why) for entry, why in picked]


@strawberry.type(
    description="An entry of a content type without typed fields in the schema (yet): read "
    "its values with `fields` or `field(name:)`."
)
class GenericEntry(Entry):
    pass


@strawberry.type
class EntryEdge:
    cursor: str
    node: Entry


@strawberry.type
class EntryConnection:
    edges: list[EntryEdge]
    page_info: PageInfo
