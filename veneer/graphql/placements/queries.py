"""`block` (for the viewer) and `placements` (secret key)."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from veneer.content_adapters import ContentError
from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError, content_error
from veneer.graphql.permissions import IsSecretKey
from veneer.graphql.placements.serving import UnknownPlacement, build_block, find_placement
from veneer.graphql.placements.types import Block, BlockFormat, Placement


@strawberry.type
class PlacementQueries:
    @strawberry.field(
        description="What the placement shows the viewer now: its entries with their "
        "variants, rendered by the placement's template (sanitized HTML or text), and why. "
        "Null when it has nothing for them (an `offer` placement with no offer due)."
    )
    async def block(
        self, info: Info, placement: str, format: BlockFormat = BlockFormat.HTML
    ) -> Block | None:
        context = info.context
        try:
            found = await find_placement(context, placement)
            block = await build_block(context, found)
        except UnknownPlacement as exc:
            raise UserInputError("placement", str(exc)) from exc
        except ContentError as exc:
            raise content_error(exc) from exc
        if block is None:
            return None
        return Block.of(block, format, context.services.templates)

    @strawberry.field(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Every saved placement, by key.",
    )
    async def placements(self, info: Info) -> list[Placement]:
        found = await info.context.services.placements(fresh=True)
        return [Placement.of(found[key]) for key in sorted(found)]
