"""The event path's I/O edge: validate, attribute, gate on consent, dedupe, store, aggregate.

Shared by ``POST /v1/events`` and the ``track`` mutation so that both answer the same batch
the same way. In the embedded deployment the events, their receipts and the profile
aggregates are written in one transaction: once a batch is acknowledged, every accepted event
is stored and counted exactly once, and a retry is recognised as a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from veneer.consent import Purpose, effective_consent
from veneer.events.attribution import attribute
from veneer.events.model import STANDARD_TYPES, Event
from veneer.events.validation import EventError, ValidationLimits, validate_batch
from veneer.identity.keys import ApiKey
from veneer.identity.viewer import Viewer
from veneer.metrics import EVENTS, EVENTS_LATE, EVENTS_REJECTED
from veneer.services import Services
from veneer.store.consent import consent_records_for
from veneer.store.events import add_activity, claim_event_ids, group_by_viewer, store_events
from veneer.store.identity import linked_users


@dataclass
class TrackResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[EventError] = field(default_factory=list)


async def track(
    services: Services, raw: Sequence[object], key: ApiKey, viewer: Viewer | None
) -> TrackResult:
    settings = services.settings
    now = services.clock()
    limits = ValidationLimits(max_future_skew=settings.event_max_future_skew)
    valid, rejected = validate_batch(raw, now, limits)
    events: list[Event] = []
    for index, event in valid:
        result = attribute(event, index, key.kind, viewer)
        if isinstance(result, EventError):
            rejected.append(result)
        else:
            events.append(result)
    rejected.sort(key=lambda error: error.index)
    outcome = TrackResult(accepted=len(events), rejected=rejected)
    for error in rejected:
        EVENTS_REJECTED.labels(error.reason).inc()
        EVENTS.labels("rejected", metric_type(_type_of(raw[error.index]))).inc()
    if not events:
        return outcome

    async with services.db.session() as session:
        links = await linked_users(session, {e.anonymous_id for e in events if e.anonymous_id})
        events = [
            replace(e, user_id=links[e.anonymous_id])
            if e.user_id is None and e.anonymous_id in links
            else e
            for e in events
        ]
        records = await consent_records_for(session, {e.viewer_id for e in events})
        keep: list[Event] = []
        for event in events:
            consent = effective_consent(records[event.viewer_id], settings.consent_default)
            if consent[Purpose.ANALYTICS].granted:
                keep.append(event)
            else:
                EVENTS.labels("no_consent", metric_type(event.type)).inc()
        unique, duplicates = _first_of_each_id(keep)
        fresh = await claim_event_ids(session, [e.id for e in unique], now)
        stored = [e for e in unique if e.id in fresh]
        duplicates += [e for e in unique if e.id not in fresh]
        await store_events(session, stored)
        await add_activity(session, group_by_viewer(stored))
    outcome.duplicates = len(duplicates)
    outcome.accepted -= outcome.duplicates
    for event in stored:
        EVENTS.labels("stored", metric_type(event.type)).inc()
        if event.late:
            EVENTS_LATE.inc()
    for event in duplicates:
        EVENTS.labels("duplicate", metric_type(event.type)).inc()
    for viewer_id in {e.viewer_id for e in stored}:
        await services.viewer_id_changed(viewer_id)
    return outcome


def _first_of_each_id(events: list[Event]) -> tuple[list[Event], list[Event]]:
    seen: set[str] = set()
    unique: list[Event] = []
    repeated: list[Event] = []
    for event in events:
        (repeated if event.id in seen else unique).append(event)
        seen.add(event.id)
    return unique, repeated


def _type_of(raw: object) -> str:
    kind = raw.get("type") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) else "invalid"


def metric_type(event_type: str) -> str:
    """Custom types are grouped, so a site cannot blow up the metrics' cardinality."""
    return event_type if event_type in STANDARD_TYPES else "custom"
