"""`auditLog` (secret key): who changed what runs Veneer, and when, newest first."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.permission import PermissionExtension
from strawberry.scalars import JSON

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError
from veneer.graphql.permissions import IsSecretKey
from veneer.store.audit import changes
from veneer.store.models import AuditRow

MAX_PAGE = 500


@strawberry.type(
    description="One change to a segment, trigger, placement, experiment, key, trusted "
    "document or champion model, from GraphQL, the command line or a definitions file."
)
class Change:
    id: int = strawberry.field(description="Increasing: page back with `before: id`.")
    at: datetime
    actor: str = strawberry.field(
        description="`key:ID (name)` for a request, `cli:USER` for a command, "
        "`insights:key:ID (name)` for a change made in Insights, `system` for Veneer's own "
        "upkeep."
    )
    action: str = strawberry.field(description="Such as `segment.saved` or `key.revoked`.")
    subject: str = strawberry.field(description="The key, id or hash of what changed.")
    details: JSON = strawberry.field(description="What it became (for a save).")

    @classmethod
    def from_row(cls, row: AuditRow) -> Change:
        return cls(
            id=row.id,
            at=row.at,
            actor=row.actor,
            action=row.action,
            subject=row.subject,
            details=JSON(row.details),
        )


@strawberry.type
class AuditQueries:
    @strawberry.field(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Changes to what runs Veneer, newest first; `before` pages back.",
    )
    async def audit_log(
        self, info: Info, first: int = 50, before: int | None = None
    ) -> list[Change]:
        if not 1 <= first <= MAX_PAGE:
            raise UserInputError("first", f"must be between 1 and {MAX_PAGE}")
        async with info.context.services.db.reading() as session:
            rows = await changes(session, first, before)
        return [Change.from_row(row) for row in rows]
