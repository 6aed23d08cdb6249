"""`eventQuality` (secret key): is tracking healthy, per source and event type?"""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension
from strawberry.scalars import JSON

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError
from veneer.graphql.permissions import IsSecretKey
from veneer.jobs import insights


@strawberry.type(description="Event quality for one source (API key) and event type.")
class EventQuality:
    source: str
    event_type: str
    accepted: int
    duplicates: int
    late: int = strawberry.field(description="Accepted, but dated more than a day back.")
    no_consent: int = strawberry.field(description="Acknowledged, not kept: no ANALYTICS.")
    rejected: JSON = strawberry.field(description="Rejections by reason.")
    null_rates: JSON = strawberry.field(description="Share of events missing each key field.")
    rejection_rate: float
    alert: bool = strawberry.field(description="Rejection rate above the configured threshold.")


@strawberry.type
class QualityQueries:
    @strawberry.field(extensions=[PermissionExtension(permissions=[IsSecretKey()])])
    async def event_quality(self, info: Info, days: int = 7) -> list[EventQuality]:
        if not 1 <= days <= 366:
            raise UserInputError("days", "must be between 1 and 366")
        return [
            EventQuality(
                source=row.source,
                event_type=row.event_type,
                accepted=row.accepted,
                duplicates=row.duplicates,
                late=row.late,
                no_consent=row.no_consent,
                rejected=JSON(row.rejected),
                null_rates=JSON(row.null_rates),
                rejection_rate=row.rejection_rate,
                alert=row.alert,
            )
            for row in await insights.quality(info.context.services, days)
        ]
