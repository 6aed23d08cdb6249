"""`upsertPlacement` and `deletePlacement` (secret key).

The input is checked by the same parser as a placements file, and against the CMS and the
templates, so an error names the bad field (``entries[1]``, ``template``) either way.
"""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from veneer.content_adapters import ContentError
from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError, content_error
from veneer.graphql.permissions import IsSecretKey
from veneer.graphql.placements.types import Placement
from veneer.jobs.placements import delete_placement, save_placement
from veneer.placements.definition import PlacementError, parse_placement


@strawberry.input(description="A placement, as a placements file writes it.")
class PlacementInput:
    key: str
    content_types: list[str] | None = None
    strategy: str = strawberry.field(description="variant, pinned, recommendations or offer.")
    entries: list[strawberry.ID] | None = None
    template: str | None = strawberry.field(
        default=None,
        description="A template name (blocks/<template>.html); default: the strategy's.",
    )
    first: int = 1


@strawberry.type
class PlacementMutations:
    @strawberry.mutation(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Add a placement or replace the one with this key.",
    )
    async def upsert_placement(self, info: Info, input: PlacementInput) -> Placement:
        raw = {
            "key": input.key,
            "strategy": input.strategy,
            "contentTypes": input.content_types or [],
            "entries": [str(e) for e in input.entries or []],
            "template": input.template,
            "first": input.first,
        }
        try:
            placement = parse_placement(raw)
            saved = await save_placement(info.context.services, placement)
        except PlacementError as exc:
            raise UserInputError(f"input.{exc.field}", exc.message) from exc
        except ContentError as exc:
            raise content_error(exc) from exc
        return Placement.of(saved)

    @strawberry.mutation(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Delete a placement; true if it existed. Its blocks answer unknown after.",
    )
    async def delete_placement(self, info: Info, key: str) -> bool:
        return await delete_placement(info.context.services, key)
