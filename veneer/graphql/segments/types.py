"""`Segment` as GraphQL shows it."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from veneer.segments.definition import SegmentDefinition


@strawberry.type(description="A named audience, defined by a rule over traits and behaviour.")
class Segment:
    key: str
    name: str
    rule: JSON
    size: int | None = strawberry.field(
        default=None, description="Members, where known; null until sizes are computed."
    )

    @classmethod
    def from_definition(cls, definition: SegmentDefinition) -> Segment:
        return cls(key=definition.key, name=definition.name, rule=JSON(definition.rule_json))
