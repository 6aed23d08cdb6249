"""`track`: the same ingestion as ``POST /v1/events``, for GraphQL clients."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import orjson
import strawberry
from strawberry.scalars import JSON

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError
from veneer.jobs.ingest import track


def json_size(value: object) -> int:
    """Bytes as JSON: the size ``POST /v1/events`` would have measured for the same batch.

    orjson refuses integers past 64 bits, which event validation then rejects one event at a
    time; the standard library measures those batches instead of failing the whole request.
    """
    try:
        return len(orjson.dumps(value))
    except orjson.JSONEncodeError:
        return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


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
        description="Record events. Each invalid event is reported; the valid ones are kept. "
        "A batch over the event or byte limit of POST /v1/events is refused whole."
    )
    async def track(self, info: Info, events: list[EventInput]) -> TrackResult:
        services = info.context.services
        settings = services.settings
        if len(events) > settings.max_batch_events:
            raise UserInputError(
                "events", f"at most {settings.max_batch_events} events per request"
            )
        raw = [e.as_raw() for e in events]
        size = json_size(raw)
        if size > settings.max_batch_bytes:
            raise UserInputError(
                "events", f"{size} bytes of events; at most {settings.max_batch_bytes} per request"
            )
        principal = info.context.principal
        result = await track(
            services, raw, principal.key, principal.viewer, info.context.after_response
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
