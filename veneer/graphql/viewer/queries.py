"""`viewer`, and the consent audit trail for secret keys."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError
from veneer.graphql.permissions import IsSecretKey
from veneer.graphql.viewer.types import ConsentRecord, Viewer
from veneer.identity.viewer import Viewer as DomainViewer
from veneer.store.consent import consent_history


@strawberry.type
class ViewerQueries:
    @strawberry.field(description="The viewer this request acts for.")
    def viewer(self, info: Info) -> Viewer:
        return Viewer(viewer=info.context.require_viewer())

    @strawberry.field(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Every consent decision recorded for a user or a device, oldest first.",
    )
    async def consent_history(
        self, info: Info, user_id: str | None = None, anonymous_id: str | None = None
    ) -> list[ConsentRecord]:
        if (user_id is None) == (anonymous_id is None):
            raise UserInputError(None, "give exactly one of userId or anonymousId")
        person = DomainViewer(anonymous_id=anonymous_id, user_id=user_id)
        async with info.context.services.db.reading() as session:
            rows = await consent_history(session, person.id)
        return [ConsentRecord.from_domain(row) for row in rows]
