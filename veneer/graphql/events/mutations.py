"""`track`: the same ingestion as ``POST /v1/events``, for GraphQL clients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError
from veneer.jobs.ingest import track


@strawberry.input(description="One event; see the event types in the README.")
class EventInput:
    id: strawberry.ID
    type: str
    timestamp: datetime | None = None
    anonymous_id: str | None = None
    user_id: str | None = None
    entry_id: str | None = None
    properties: JSON | None = None
    context: JSON | None = None

    def as_raw(self) -> dict[str, Any]:
        """The REST shape, so both doors run the same validation."""
        raw: dict[str, Any] = {"id": str(self.id), "type": self.type}
        for key, value in (
            ("timestamp", self.timestamp.isoformat() if self.timestamp else None),
            ("anonymousId", self.anonymous_id),
            ("userId", self.user_id),
            ("entryId", self.entry_id),
            ("properties", self.properties),
            ("context", self.context),
        ):
            if value is not None:
                raw[key] = value
        return raw


@strawberry.type
class EventError:
    index: int
    field: str | None
    message: str


@strawberry.type
class TrackResult:
    accepted: int
    duplicates: int
    rejected: list[EventError]
    without_consent: int = strawberry.field(
        description="Accepted events not kept, because the viewer has not granted ANALYTICS."
    )


@strawberry.type
class EventMutations:
    @strawberry.mutation(
        description="Record events. Each invalid event is reported; the valid ones are kept."
    )
    async def track(self, info: Info, events: list[EventInput]) -> TrackResult:
        services = info.context.services
        if len(events) > services.settings.max_batch_events:
            raise UserInputError(
                "events", f"at most {services.settings.max_batch_events} events per request"
            )
        principal = info.context.principal
        result = await track(
            services, [e.as_raw() for e in events], principal.key, principal.viewer
        )
        info.context.forget_viewer_state()
        return TrackResult(
            accepted=result.accepted,
            duplicates=result.duplicates,
            without_consent=result.without_consent,
            rejected=[
                EventError(index=e.index, field=e.field, message=e.message) for e in result.rejected
            ],
        )
