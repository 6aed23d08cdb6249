"""Retention: raw events and viewers nobody has seen are not kept for ever.

Every ``retention_interval`` seconds housekeeping deletes the events dated more than
``event_retention_days`` ago, and erases the people none of whose profiles was seen (no
event, no trait) for ``profile_retention_days``. A person is erased as an erasure request
erases them (`veneer.jobs.people.forget`): profile, events, consent records, memberships,
scores, offers, identity links, what the caches and the event stream hold, and an entry in
the erasure log that names nobody, with ``requested_by`` "retention".

One process does it for all (a lease), in slices: a round that fails or is killed leaves
whole slices done and whole people erased, and the next round goes on from there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from veneer.identity.viewer import viewer_of
from veneer.jobs.lease import only_one
from veneer.jobs.people import forget
from veneer.services import Services
from veneer.store.people import owners_of, viewer_ids_of
from veneer.store.retention import any_seen_since, delete_events_before, unseen_profiles

logger = logging.getLogger(__name__)
EVENT_SLICE = 5_000  # events deleted per statement
PEOPLE_PER_ROUND = 500  # people erased per round at most; the next round takes the rest
REQUESTED_BY = "retention"


@dataclass(frozen=True)
class RetentionResult:
    events: int  # events deleted for their age
    people: int  # people erased, unseen for too long


async def apply_retention(
    services: Services, people_per_round: int = PEOPLE_PER_ROUND
) -> RetentionResult | None:
    """One round; None when another process holds the lease (it is doing the same)."""
    async with only_one(services, "retention") as mine:
        if not mine:
            return None
        now = services.clock()
        settings = services.settings
        events = await _delete_old_events(
            services, now - timedelta(days=settings.event_retention_days)
        )
        people = await _erase_unseen(
            services, now - timedelta(days=settings.profile_retention_days), people_per_round
        )
        if events or people:
            logger.info(
                "retention: %d event(s) past %d days deleted, %d person(s) unseen for %d days "
                "erased",
                events,
                settings.event_retention_days,
                people,
                settings.profile_retention_days,
            )
        return RetentionResult(events, people)


async def _delete_old_events(services: Services, cutoff: datetime) -> int:
    deleted = 0
    while True:
        async with services.db.session() as session:  # a transaction per slice
            removed = await delete_events_before(session, cutoff, EVENT_SLICE)
        deleted += removed
        if removed < EVENT_SLICE:
            return deleted


async def _erase_unseen(services: Services, before: datetime, limit: int) -> int:
    """Erase the people all of whose profiles were last seen before ``before``.

    A profile unseen for long may belong to someone seen since under another of their
    profiles (a device linked to their account, or the account a device is linked to):
    they are kept whole. A device linked to an account is erased with the account."""
    async with services.db.reading() as session:
        candidates = await unseen_profiles(session, before, limit)
    erased: set[str] = set()
    people = 0
    for profile in candidates:
        if profile in erased:
            continue  # went with a profile of the same person
        async with services.db.reading() as session:
            # A straggler of a device since linked is its account's.
            viewer = viewer_of((await owners_of(session, [profile])).get(profile, profile))
            if viewer is None:
                continue
            ids, _devices = await viewer_ids_of(session, viewer.user_id, viewer.anonymous_id)
            if await any_seen_since(session, ids, before):
                continue
        await forget(services, viewer, REQUESTED_BY)
        erased.update(ids)
        people += 1
    return people
