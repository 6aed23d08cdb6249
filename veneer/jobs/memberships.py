"""Keeping stored segment membership current: live, by backfill, and as windows slide.

- Live: when events or traits change some profiles, only the segments that change can affect
  are re-decided, and only for those profiles (`profiles_changed`).
- Backfill: every profile, slice by slice, all chosen segments in one pass per slice
  (`backfill`), with progress for the command line.
- Sweep: segments with event windows move with time alone, so housekeeping re-decides them
  every ``segment_sweep_interval`` seconds (`sweep`).

All three use the rules compiled to SQL, so they agree with each other and with requests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta

from veneer.jobs.lease import only_one
from veneer.segments.impact import (
    affected_by_events,
    affected_by_scores,
    affected_by_traits,
    moved_by_time,
)
from veneer.segments.rules import Rule, referenced_segments
from veneer.services import Services
from veneer.store.memberships import (
    analyze_members,
    count_profiles,
    decides_in_parallel,
    matching_profiles,
    refresh_profiles,
    refresh_range,
    slice_starts,
)
from veneer.store.models import utcnow
from veneer.store.segment_sizes import recount_sizes
from veneer.store.segment_sql import Clock
from veneer.store.segments import mark_decided, mark_undecided, undecided_segments

logger = logging.getLogger(__name__)
SLICE = 20_000
WORKERS = 2
SAMPLE = 10


class UnknownSegment(LookupError):
    pass


def no_such_segment(unknown: Collection[str], known: Collection[str]) -> UnknownSegment:
    """The error for keys that name no segment, listing the ones that do.

    A typo, or a key from a guide written for another database, is the usual cause; the list
    turns a dead end into the next command to type.
    """
    existing = ", ".join(sorted(known)) or "none yet (upsertSegment saves one)"
    return UnknownSegment(
        f"no such segment: {', '.join(sorted(unknown))}; existing segments: {existing}"
    )


async def _rules(services: Services, fresh: bool = True) -> dict[str, Rule]:
    """Saved rules, read from the database. The live path (``fresh=False``, after every
    event) takes the briefly cached copy that saving a segment drops: the rules requests
    decide segments by, so stored membership moves as what viewers see does."""
    definitions = await services.segment_definitions(fresh=fresh)
    return {key: d.rule for key, d in definitions.items()}


def _clock(services: Services) -> Clock:
    return Clock(services.clock(), timedelta(days=services.settings.event_lookback_days))


async def profiles_changed(
    services: Services, profile_ids: Collection[str], event_types: set[str] | None
) -> tuple[int, int]:
    """Re-decide the segments these changes can affect; ``None`` types means traits changed."""
    if not profile_ids:
        return 0, 0
    rules = await _rules(services, fresh=False)
    keys = (
        affected_by_traits(rules) if event_types is None else affected_by_events(rules, event_types)
    )
    return await _refresh(services, rules, keys, profile_ids)


async def scores_changed(
    services: Services, profile_ids: Collection[str], events: set[str]
) -> tuple[int, int]:
    """New propensity scores for these profiles: re-decide the segments comparing them."""
    if not profile_ids or not events:
        return 0, 0
    rules = await _rules(services, fresh=False)
    return await _refresh(services, rules, affected_by_scores(rules, events), profile_ids)


async def _refresh(
    services: Services,
    rules: dict[str, Rule],
    keys: Collection[str],
    profile_ids: Collection[str],
) -> tuple[int, int]:
    """Re-decide ``keys`` for these profiles; on failure, for everyone later."""
    if not keys:
        return 0, 0
    try:
        async with services.db.session() as session:
            return await refresh_profiles(session, rules, keys, _clock(services), list(profile_ids))
    except Exception:
        await _decide_again_later(services, keys)
        raise


async def segments_comparing(services: Services, event: str) -> set[str]:
    """The segments that compare ``event``'s propensity score (and their referrers)."""
    return affected_by_scores(await _rules(services), {event})


async def _decide_again_later(services: Services, keys: Collection[str]) -> None:
    """After a failed live refresh, have housekeeping re-decide ``keys`` for everyone.

    Otherwise the changed profiles' stored membership (and so the sizes and trends) would
    stay wrong until those profiles happen to change again.
    """
    try:
        async with services.db.session() as session:
            await mark_undecided(session, keys)
    except Exception:
        logger.exception("could not leave %s to be decided again", ", ".join(sorted(keys)))


async def profiles_merged(services: Services, profile_ids: Collection[str]) -> tuple[int, int]:
    """A login moved a device's history and traits into its user: re-decide both for every
    segment, so the device's memberships leave with its profile instead of counting the
    person twice until the next backfill, and the user's reflect what they gained."""
    rules = await _rules(services)
    if not rules or not profile_ids:
        return 0, 0
    async with services.db.session() as session:
        return await refresh_profiles(
            session, rules, set(rules), _clock(services), list(profile_ids)
        )


@dataclass(frozen=True)
class BackfillResult:
    profiles: int
    entered: int
    left: int


async def backfill(
    services: Services,
    keys: Collection[str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    slice_size: int = SLICE,
    workers: int = WORKERS,
    each: bool = False,
) -> BackfillResult:
    """Re-decide every profile for ``keys`` (all segments by default).

    Slices are independent (disjoint id ranges, a transaction each), so PostgreSQL decides
    ``workers`` of them at once; SQLite, with one writer, takes them in turn.
    ``on_progress(done, total)`` is called after each slice, in profiles. The history gets
    each segment's entries and exits as totals, unless ``each`` asks for a row per profile.
    """
    rules = await _rules(services)
    chosen = set(rules) if keys is None else set(keys)
    unknown = sorted(chosen - set(rules))
    if unknown:
        raise no_such_segment(unknown, rules)
    clock = _clock(services)
    started = utcnow()  # wall time, as the segments' updated_at is
    async with services.db.reading() as session:
        total = await count_profiles(session)
        starts = await slice_starts(session, slice_size) if chosen else []
        concurrent = workers if decides_in_parallel(session) else 1
    ranges = list(zip(starts, [*starts[1:], None], strict=True)) if starts else []
    done = entered = left = 0
    analyzed = 0  # members added when the planner's statistics were last refreshed
    gate = asyncio.Semaphore(max(1, concurrent))

    async def one(first: str, before: str | None) -> None:
        nonlocal done, entered, left, analyzed
        async with gate, services.db.session() as session:
            result = await refresh_range(session, rules, chosen, clock, first, before, each)
        done, entered, left = done + result.profiles, entered + result.entered, left + result.left
        if entered > 2 * analyzed:  # the table doubled: a handful of times per backfill
            analyzed = entered
            async with services.db.session() as session:
                await analyze_members(session)
        if on_progress is not None:
            on_progress(done, total)

    await asyncio.gather(*(one(first, before) for first, before in ranges))
    async with services.db.session() as session:
        await recount_sizes(session, chosen)
        await mark_decided(session, chosen, started)
    return BackfillResult(done, entered, left)


async def decide_changed_segments(services: Services) -> list[str]:
    """Backfill the segments saved or changed since they were last decided for everyone.

    Housekeeping calls this, so a new rule's stored membership and size catch up without
    anyone running `veneer segments backfill`. A rule changed during the backfill stays due.
    One process at a time does it; the others find nothing to do.
    """
    async with only_one(services, "segment-decide") as mine:
        if not mine:
            return []
        async with services.db.reading() as session:
            keys = await undecided_segments(session)
        if not keys:
            return []
        result = await backfill(services, keys)
    logger.info(
        "decided %s for %d profiles: %d entered, %d left",
        ", ".join(sorted(keys)),
        result.profiles,
        result.entered,
        result.left,
    )
    return sorted(keys)


async def sweep(services: Services) -> BackfillResult | None:
    """Re-decide the segments whose windows slide with time, for every profile.

    Who left because a window slid past is recorded profile by profile, as live moves are.
    None when another process is sweeping already.
    """
    async with only_one(services, "segment-sweep") as mine:
        if not mine:
            return None
        rules = await _rules(services)
        keys = moved_by_time(rules)
        if not keys:
            return BackfillResult(0, 0, 0)
        return await backfill(services, keys, each=True)


@dataclass(frozen=True)
class Preview:
    size: int
    profiles: int
    sample: list[str]


async def preview(services: Services, rule: Rule) -> Preview:
    """How many profiles a rule would hold now, and a few of them, before it is saved."""
    rules = await _rules(services)
    unknown = sorted(referenced_segments(rule) - set(rules))
    if unknown:
        raise UnknownSegment(f"refers to unknown segment(s): {', '.join(unknown)}")
    clock = _clock(services)
    async with services.db.reading() as session:
        size, sample = await matching_profiles(session, rule, rules, clock, SAMPLE)
        return Preview(size, await count_profiles(session), sample)
