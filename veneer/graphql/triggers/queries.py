"""`triggers` (secret key)."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from veneer.graphql.context import Info
from veneer.graphql.permissions import IsSecretKey
from veneer.graphql.triggers.types import Trigger


@strawberry.type
class TriggerQueries:
    @strawberry.field(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Every saved trigger, by key.",
    )
    async def triggers(self, info: Info) -> list[Trigger]:
        found = await info.context.services.trigger_definitions(fresh=True)
        return [Trigger(trigger=t) for t in sorted(found, key=lambda t: t.key)]
