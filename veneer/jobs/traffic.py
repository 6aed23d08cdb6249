"""`veneer demo traffic`: simulated shoppers, replayed through Veneer's own paths.

Nothing is inserted behind Veneer's back. Consent goes through `record_consent`, logins
through identity linking, traits through `identify`, and events through `track` (validation,
the consent gate, dedupe by event id, live membership). Housekeeping's decisions then run
as the app would run them. The demo ends up holding what real traffic would leave: events
of viewers without ANALYTICS consent are acknowledged and dropped, and a second run with
the same seed adds nothing, because every event id it sends has been seen.

The replay moves Veneer's clock along with the simulation. Consent is recorded, traits are
told and events are accepted at the moment they happen in the simulated weeks, so consent
history, membership ``since`` and "converted after entering the segment" read as they
would after real weeks of traffic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from veneer.consent.decisions import check_decisions
from veneer.events.validation import EventError
from veneer.identity.keys import ApiKey, KeyKind
from veneer.identity.viewer import Viewer, profile_id
from veneer.jobs.ingest import track
from veneer.jobs.memberships import decide_changed_segments, sweep
from veneer.jobs.people import identify_many, link_identity
from veneer.jobs.popularity import refresh_popularity
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.consent import consent_records_for
from veneer.store.profiles import activities
from veneer.store.segment_sizes import sizes
from veneer.store.segments import list_segments
from veneer.traffic import (
    ConsentGiven,
    Identified,
    Item,
    LoggedIn,
    Tracked,
    Traffic,
    Visitor,
    catalogue,
    simulate,
)

SENDER = ApiKey(id="demo-traffic", kind=KeyKind.SECRET, name="demo traffic")
BATCH_SPAN = timedelta(hours=6)  # events accepted together are at most this far apart
CHUNK = 5_000  # profile ids per query
PAGE = 100


class ReplayClock:
    """The time Veneer believes it is while simulated weeks are replayed in seconds."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Replayed:
    """What Veneer answered while the traffic was replayed."""

    sent: int = 0
    stored: int = 0
    duplicates: int = 0
    dropped: int = 0  # acknowledged, but not stored: no ANALYTICS consent
    rejected: list[EventError] = field(default_factory=list)
    consent_recorded: int = 0
    consent_already: int = 0  # decisions an earlier run with this seed recorded
    logins: int = 0
    identified: int = 0


@dataclass(frozen=True)
class TrafficReport:
    visitors: list[Visitor]
    replayed: Replayed
    held: dict[str, dict[str, Any]]  # the visitors' profiles that have activity, by id
    sizes: dict[str, int]  # every segment's size after deciding


def _profile_ids(visitor: Visitor) -> list[str]:
    ids = [profile_id(device, None) for device in visitor.devices]
    return ids + ([profile_id(None, visitor.user_id)] if visitor.user_id else [])


async def read_catalogue(services: Services) -> list[Item]:
    """Every published entry of the configured content source."""
    return catalogue(await services.catalogue.entries())


async def _already_consented(services: Services, visitors: Iterable[Visitor]) -> set[str]:
    """Devices of visitors whose decisions are on record (from an earlier run of the seed).

    Consent records are an append-only history, so recording them again would add a second
    copy of each decision; a person's records may sit on a device or, after a login, on
    their user.
    """
    owner = {pid: v.devices for v in visitors for pid in _profile_ids(v)}
    ids = sorted(owner)
    found: set[str] = set()
    for first in range(0, len(ids), CHUNK):
        async with services.db.reading() as session:
            records = await consent_records_for(session, ids[first : first + CHUNK])
        found |= {device for pid, rows in records.items() if rows for device in owner[pid]}
    return found


async def replay(
    services: Services,
    clock: ReplayClock,
    traffic: Traffic,
    on_progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> Replayed:
    """Send each happening through Veneer's own path, in time order.

    Traits and events are sent in batches covering at most ``BATCH_SPAN`` (traits first, at
    the time the first of them was told; events at the time of the last), as a site's
    backend would batch them. A login first sends what the device did before it: the login
    moves the device's consent and traits to the user, and the consent gate must judge the
    device's earlier events by its own consent.
    """
    done = Replayed()
    skip = await _already_consented(services, traffic.visitors)
    events: list[Tracked] = []
    traits: list[Identified] = []
    total = len(traffic.happenings)

    async def send(upto: int) -> None:
        if traits:
            clock.now = max(clock.now, traits[0].at)
            await identify_many(
                services, [(Viewer(t.anonymous_id, t.user_id), t.traits) for t in traits]
            )
            done.identified += len(traits)
            traits.clear()
        if events:
            clock.now = max(clock.now, events[-1].at)
            result = await track(services, [t.event for t in events], SENDER, None)
            done.sent += len(events)
            done.stored += result.accepted - result.without_consent
            done.dropped += result.without_consent
            done.duplicates += result.duplicates
            done.rejected += result.rejected
            events.clear()
        on_progress(upto, total)

    def anonymous(device: str) -> bool:
        """Whether anything waiting to be sent is the device's own, sent before its login."""
        return any(
            t.event["anonymousId"] == device and "userId" not in t.event for t in events
        ) or any(t.anonymous_id == device and t.user_id is None for t in traits)

    for index, happening in enumerate(traffic.happenings):
        first = min((batch[0].at for batch in (events, traits) if batch), default=None)
        if first is not None and (
            happening.at - first > BATCH_SPAN
            or len(events) >= services.settings.max_batch_events
            or (isinstance(happening, LoggedIn) and anonymous(happening.anonymous_id))
        ):
            await send(index)
        if isinstance(happening, Tracked):
            events.append(happening)
        elif isinstance(happening, Identified):
            traits.append(happening)
        elif isinstance(happening, ConsentGiven):
            if happening.anonymous_id in skip:
                done.consent_already += 1
                continue
            clock.now = max(clock.now, happening.at)
            decisions = check_decisions(
                happening.choices, happening.source, happening.policy_version
            )
            await services.record_consent(
                Viewer(anonymous_id=happening.anonymous_id), decisions, happening.gpc
            )
            done.consent_recorded += 1
        else:
            clock.now = max(clock.now, happening.at)
            vouched = Viewer(happening.anonymous_id, happening.user_id, device_is_users=True)
            await link_identity(services, vouched)
            done.logins += 1
    await send(total)
    return done


async def run_traffic(
    settings: Settings,
    visitors: int,
    days: float,
    seed: int,
    on_progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> TrafficReport:
    """Simulate ``visitors`` over the last ``days``, replay them, decide membership, report."""
    now = datetime.now(UTC).replace(microsecond=0)  # whole seconds: see traffic.simulate
    clock = ReplayClock(now - timedelta(days=days))
    services = Services(settings, clock=clock)
    try:
        traffic = simulate(await read_catalogue(services), visitors, days, seed, now)
        replayed = await replay(services, clock, traffic, on_progress)
        clock.now = max(clock.now, datetime.now(UTC))
        await decide_changed_segments(services)  # what housekeeping does in a running app
        await sweep(services)
        await refresh_popularity(services)
        ids = [pid for visitor in traffic.visitors for pid in _profile_ids(visitor)]
        async with services.db.reading() as session:
            held = {pid: a for pid, a in (await activities(session, ids)).items() if a}
            kept = await sizes(session)
            keys = [row.key for row in await list_segments(session)]
        return TrafficReport(traffic.visitors, replayed, held, {k: kept.get(k, 0) for k in keys})
    finally:
        await services.aclose()


def totals(report: TrafficReport) -> tuple[Counter[str], int, dict[str, float]]:
    """Events per type the visitors' profiles hold, their purchases, and the value by currency."""
    counts: Counter[str] = Counter()
    purchases = 0
    value: dict[str, float] = {}
    for activity in report.held.values():
        counts.update(activity.get("counts", {}))
        bought = activity.get("purchases", {})
        purchases += int(bought.get("count", 0))
        for currency, amount in bought.get("value", {}).items():
            value[currency] = round(value.get(currency, 0.0) + float(amount), 2)
    return counts, purchases, value
