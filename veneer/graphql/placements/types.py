"""`Placement` (a named slot and how it is filled) and `Block` (what it shows the viewer)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.scalars import JSON

from veneer.graphql.entries.types import Entry, GenericEntry
from veneer.placements.blocks import Block as DomainBlock
from veneer.placements.definition import Placement as DomainPlacement
from veneer.placements.render import BlockTemplates


@strawberry.enum(description="How a block's `content` is rendered.")
class BlockFormat(Enum):
    HTML = "html"
    TEXT = "text"
    JSON = "json"


@strawberry.type(description="A named slot on a page, in an app or in an email.")
class Placement:
    key: str
    content_types: list[str]
    strategy: str = strawberry.field(description="variant, pinned, recommendations or offer.")
    entries: list[strawberry.ID]
    template: str | None
    first: int = strawberry.field(description="How many entries the block shows at most.")

    @classmethod
    def of(cls, placement: DomainPlacement) -> Placement:
        return cls(
            key=placement.key,
            content_types=list(placement.content_types),
            strategy=placement.strategy,
            entries=[strawberry.ID(e) for e in placement.entries],
            template=placement.template,
            first=placement.first,
        )


@strawberry.type(description="What a placement shows this viewer now, and why.")
class Block:
    placement: str
    strategy: str
    format: BlockFormat
    reason: str = strawberry.field(description="Why the viewer sees this block.")
    content: str | None = strawberry.field(
        description="The block rendered by its template: sanitized HTML, or plain text; "
        "null for JSON, where the client renders `entries` itself."
    )
    entries: list[Entry] = strawberry.field(
        description="The CMS entries it shows, with the viewer's variants; each entry's "
        "`personalization` says why it is there."
    )
    offer: str | None = strawberry.field(
        description="The trigger whose offer fills the block, if one does."
    )
    params: JSON | None = strawberry.field(description="The offer's parameters, such as a code.")

    @classmethod
    def of(cls, block: DomainBlock, format: BlockFormat, templates: BlockTemplates) -> Block:
        content = None
        if format is not BlockFormat.JSON:
            content = templates.render(block, "html" if format is BlockFormat.HTML else "text")
        return cls(
            placement=block.placement.key,
            strategy=block.placement.strategy,
            format=format,
            reason=block.reason,
            content=content,
            entries=[
                GenericEntry.from_domain(item.entry, item.picked)
                for item in block.items
                if not item.inline
            ],
            offer=block.offer,
            params=JSON(dict(block.params)) if block.params else None,
        )
