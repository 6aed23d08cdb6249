"""The event path's I/O edge: validate, attribute, gate on consent, dedupe, then keep.

Shared by ``POST /v1/events`` and the ``track`` mutation so that both answer the same batch
the same way. Embedded, the events, their receipts and the profile aggregates are written in
one transaction before the batch is acknowledged. With Redis, accepted events are appended to
the stream (deduplicated atomically there) before the acknowledgement, and `veneer worker`
writes them; either way an acknowledged event is kept, and counted once.

What is derived from the events (stored segment membership, due offers, clusters, propensity
scores; see `veneer.jobs.derived`) is not part of the acknowledgement: no answer to the
viewer waits for it, since requests decide segments and triggers live. An edge that can run
work after its response passes ``defer`` and the sender is answered first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from veneer.consent import Purpose, is_granted
from veneer.events.attribution import attribute
from veneer.events.model import STANDARD_TYPES, Event, first_of_each_id
from veneer.events.quality import TallyKey, raw_type, tally
from veneer.events.validation import EventError, ValidationLimits, validate_batch
from veneer.identity.keys import ApiKey
from veneer.identity.viewer import Viewer
from veneer.jobs.derived import refresh_derived
from veneer.metrics import EVENTS, EVENTS_LATE, EVENTS_REJECTED
from veneer.services import Services
from veneer.store.consent import consent_records_for
from veneer.store.events import save_new_events
from veneer.store.identity import attribute_to_users

Later = Callable[[], Awaitable[None]]
Defer = Callable[[Later], None]  # schedules work to run once the response is sent


@dataclass
class TrackResult:
    """``accepted`` includes ``without_consent``: acknowledged, but not kept, because the
    sender has not granted ANALYTICS. Saying how many lets a backend see why nothing shows."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[EventError] = field(default_factory=list)
    without_consent: int = 0


async def track(
    services: Services,
    raw: Sequence[object],
    key: ApiKey,
    viewer: Viewer | None,
    defer: Defer | None = None,
) -> TrackResult:
    """Validate, gate and keep a batch; ``defer`` takes the refresh of derived data, which
    otherwise runs before this returns."""
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
        EVENTS.labels("rejected", metric_type(raw_type(raw[error.index]))).inc()
    if not events:
        await _count_quality(services, key, tally(raw, rejected, [], [], []), now)
        return outcome

    if services.stream is None:
        unique, duplicates, dropped, stored = await _store(services, events, now, defer)
    else:
        unique, duplicates, dropped, stored = await _publish(services, events)
    outcome.without_consent = len(dropped)
    stored_ids = {e.id for e in stored}
    duplicates += [e for e in unique if e.id not in stored_ids]
    outcome.duplicates = len(duplicates)
    outcome.accepted -= outcome.duplicates
    outcomes = Counter(("stored", metric_type(event.type)) for event in stored)
    outcomes.update(("duplicate", metric_type(event.type)) for event in duplicates)
    for (outcome_name, event_type), count in outcomes.items():  # one update per label pair
        EVENTS.labels(outcome_name, event_type).inc(count)
    late = sum(1 for event in stored if event.late)
    if late:
        EVENTS_LATE.inc(late)
    await _count_quality(services, key, tally(raw, rejected, stored, duplicates, dropped), now)
    return outcome


async def _count_quality(
    services: Services, key: ApiKey, counts: Counter[TallyKey], now: datetime
) -> None:
    services.quality.add(now.date(), source_of(key), counts)


def source_of(key: ApiKey) -> str:
    """Which client sent the events, as quality reports name it."""
    return f"{key.kind.value}:{key.name or key.id}"


Kept = tuple[list[Event], list[Event], list[Event], list[Event]]  # unique, repeats, no consent, new


async def _with_consent(
    services: Services, session: AsyncSession, events: list[Event]
) -> tuple[list[Event], list[Event]]:
    """Events re-attributed to linked users, split by whether ANALYTICS allows keeping them.

    Consent is the sender's: an event from a device that names no user is governed by the
    device's own decisions (what its consent banner shows), even when the device is linked
    to a user and the event will land on the user's profile.
    """
    senders = [e.viewer_id for e in events]
    events = await attribute_to_users(session, events)
    records = await consent_records_for(session, set(senders))
    default = services.settings.consent_default
    allowed = {
        viewer_id: is_granted(states, Purpose.ANALYTICS, default)
        for viewer_id, states in records.items()
    }
    keep: list[Event] = []
    dropped: list[Event] = []
    for event, sender in zip(events, senders, strict=True):
        if allowed[sender]:
            keep.append(event)
        else:
            dropped.append(event)
            EVENTS.labels("no_consent", metric_type(event.type)).inc()
    return keep, dropped


async def _publish(services: Services, events: list[Event]) -> Kept:
    """With Redis: consent read here, the events appended to the stream for the workers."""
    assert services.stream is not None
    async with services.db.reading() as session:
        keep, dropped = await _with_consent(services, session, events)
    unique, repeats = first_of_each_id(keep)
    horizon = int(services.settings.dedupe_horizon.total_seconds())
    fresh = await services.stream.publish(unique, horizon)
    return unique, repeats, dropped, [e for e in unique if e.id in fresh]


async def _store(
    services: Services, events: list[Event], now: datetime, defer: Defer | None
) -> Kept:
    """Embedded: consent read and events written in one transaction; then what is derived."""
    async with services.db.session() as session:
        keep, dropped = await _with_consent(services, session, events)
        unique, repeats = first_of_each_id(keep)
        stored = await save_new_events(session, unique, now)
    changed = {e.viewer_id for e in stored}
    for viewer_id in changed:
        await services.viewer_id_changed(viewer_id)
    if changed:
        types = {e.type for e in stored}

        async def derive() -> None:
            await refresh_derived(services, changed, types)

        if defer is None:
            await derive()
        else:
            defer(derive)
    return unique, repeats, dropped, stored


def metric_type(event_type: str) -> str:
    """Custom types are grouped, so a site cannot blow up the metrics' cardinality."""
    return event_type if event_type in STANDARD_TYPES else "custom"
