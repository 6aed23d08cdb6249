"""`segments` and `segmentPreview` (secret key)."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension
from strawberry.scalars import JSON

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError, check_json
from veneer.graphql.permissions import IsSecretKey
from veneer.graphql.segments.types import Segment, SegmentPreview
from veneer.jobs.memberships import UnknownSegment, preview
from veneer.segments import RuleError, parse_rule


@strawberry.type
class SegmentQueries:
    @strawberry.field(extensions=[PermissionExtension(permissions=[IsSecretKey()])])
    async def segments(self, info: Info) -> list[Segment]:
        definitions = await info.context.services.segment_definitions(fresh=True)
        return [Segment.from_definition(d) for _, d in sorted(definitions.items())]

    @strawberry.field(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="How many profiles a rule matches now, and a few of them, before saving it.",
    )
    async def segment_preview(self, info: Info, rule: JSON) -> SegmentPreview:
        if not isinstance(rule, dict):
            raise UserInputError("rule", "must be a JSON object")
        check_json("rule", rule)
        try:
            parsed = parse_rule(rule)
        except RuleError as exc:
            raise UserInputError("rule", str(exc), path=exc.path) from exc
        try:
            found = await preview(info.context.services, parsed)
        except UnknownSegment as exc:
            raise UserInputError("rule", str(exc)) from exc
        return SegmentPreview(
            size=found.size,
            profiles=found.profiles,
            sample=[strawberry.ID(p) for p in found.sample],
        )
