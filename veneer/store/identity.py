"""Identity links: a device's anonymous history joins its user's profile, once.

Merge precedence, stated once: the user's own traits win over the device's; traits only the
device knew are carried over; events, activity and the offers triggers made add up. Consent
is the exception that does not move: the user takes over a copy of each device decision
newer than their own, and the device keeps its records, so asking anonymously it still gets
what its banner recorded (`veneer.consent.merge` says why).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.events.activity import merge_activity
from veneer.events.model import Event
from veneer.identity.viewer import profile_id
from veneer.store.consent import copy_to_user
from veneer.store.dialect import dialect_insert
from veneer.store.experiments import move_exposures
from veneer.store.models import (
    EventRow,
    IdentityLinkRow,
    MergeRow,
    ProfileRow,
)
from veneer.store.profiles import locked_profiles
from veneer.store.triggers import move_offers


@dataclass(frozen=True)
class MergeResult:
    events_moved: int
    consent_records_copied: int


def anonymous_key(anonymous_id: str) -> str:
    return profile_id(anonymous_id, None)


def user_key(user_id: str) -> str:
    return profile_id(None, user_id)


_LINKED_USERS = select(IdentityLinkRow.anonymous_id, IdentityLinkRow.user_id).where(
    IdentityLinkRow.anonymous_id.in_(bindparam("ids", expanding=True))
)  # read on every event batch: built once


async def linked_users(session: AsyncSession, anonymous_ids: Iterable[str]) -> dict[str, str]:
    """The user each of these devices belongs to, where known."""
    ids = sorted(set(anonymous_ids))
    if not ids:
        return {}
    rows = await session.execute(_LINKED_USERS, {"ids": ids})
    return {anonymous_id: user_id for anonymous_id, user_id in rows}


async def link_and_merge(
    session: AsyncSession, anonymous_id: str, user_id: str, now: datetime
) -> MergeResult | None:
    """Link the device to the user and move whatever the device still holds.

    Safe to repeat: a second call sweeps up anything that landed on the device's profile in
    between, and returns None when there was nothing to move. A device that later logs in as
    someone else is re-linked to the new user; what was merged before stays with the first.
    """
    created = await session.scalar(
        dialect_insert(session)(IdentityLinkRow)
        .values(anonymous_id=anonymous_id, user_id=user_id, linked_at=now)
        .on_conflict_do_nothing(index_elements=["anonymous_id"])
        .returning(IdentityLinkRow.anonymous_id)
    )
    link = await session.get(
        IdentityLinkRow, anonymous_id, with_for_update=True, populate_existing=True
    )
    assert link is not None
    new_link = created is not None or link.user_id != user_id
    if new_link:
        link.user_id, link.linked_at = user_id, now
    source, target = anonymous_key(anonymous_id), user_key(user_id)
    moved_events = await session.execute(
        update(EventRow)
        .where(EventRow.viewer_id == source)
        .values(viewer_id=target, user_id=user_id)
    )
    copied_consent = await copy_to_user(session, source, target)
    moved_exposures = await move_exposures(session, source, target)
    moved_offers = await move_offers(session, source, target)  # caps count both histories
    device = await session.get(ProfileRow, source, with_for_update=True)
    if device is not None:
        person = (await locked_profiles(session, {target: (None, user_id)}))[target]
        person.traits = {**device.traits, **person.traits}
        person.activity = merge_activity(person.activity or {}, device.activity or {})
        person.updated_at = now
        await session.delete(device)
    result = MergeResult(
        events_moved=int(getattr(moved_events, "rowcount", 0) or 0),
        consent_records_copied=copied_consent,
    )
    moved_anything = result.events_moved or copied_consent or moved_exposures or moved_offers
    if not new_link and device is None and not moved_anything:
        return None
    session.add(
        MergeRow(
            anonymous_id=anonymous_id,
            user_id=user_id,
            events_moved=result.events_moved,
            consent_records_copied=result.consent_records_copied,
            merged_at=now,
        )
    )
    await session.flush()
    return result


async def attribute_to_users(session: AsyncSession, events: Sequence[Event]) -> list[Event]:
    """Events from a device already linked to a user belong to that user.

    Applied at ingest and again by the worker, so an event that was in the stream while its
    device was being linked still lands on the user.
    """
    links = await linked_users(session, {e.anonymous_id for e in events if e.anonymous_id})
    return [
        replace(e, user_id=links[e.anonymous_id])
        if e.user_id is None and e.anonymous_id in links
        else e
        for e in events
    ]
