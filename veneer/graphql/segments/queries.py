"""`segments` (secret key)."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from veneer.graphql.context import Info
from veneer.graphql.permissions import IsSecretKey
from veneer.graphql.segments.types import Segment


@strawberry.type
class SegmentQueries:
    @strawberry.field(extensions=[PermissionExtension(permissions=[IsSecretKey()])])
    async def segments(self, info: Info) -> list[Segment]:
        definitions = await info.context.services.segment_definitions(fresh=True)
        return [Segment.from_definition(d) for _, d in sorted(definitions.items())]
