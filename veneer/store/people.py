"""Everything held about one person: exported on request, erased on request.

A person is a user id with the devices linked to it, or a lone anonymous id. Erasure removes
their events, profile (traits and activity), partner traits, consent records, identity
links, merge records, stored segment memberships with their moves, cluster assignments,
propensity scores (the models, trained on many viewers, keep no row of anyone's), the
offers triggers made them, and their places in the recommendation models' viewer lists.
It keeps event receipts (ids with no personal data, so retries stay duplicates) and writes an
erasure record that says what was removed but not whose. A backfill's history totals name
nobody and stay.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.identity.viewer import device_of, profile_id
from veneer.store.experiments import erase_exposures, exposure_records
from veneer.store.identity import anonymous_key, linked_users, user_key
from veneer.store.models import (
    ClusterAssignmentRow,
    ConsentRecordRow,
    ErasureRow,
    EventRow,
    IdentityLinkRow,
    MergeRow,
    PartnerTraitsRow,
    ProfileRow,
    PropensityScoreRow,
    SegmentChangeRow,
    SegmentMemberRow,
)
from veneer.store.profiles import existing_profiles
from veneer.store.propensity import score_rows_of
from veneer.store.recommendation_models import (
    CHUNK,
    forget_viewers,
    mark_retrain_due,
    versions_trained_on,
)
from veneer.store.segment_sizes import add_to_sizes
from veneer.store.triggers import forget_offers, offers_of


async def viewer_ids_of(
    session: AsyncSession, user_id: str | None, anonymous_id: str | None
) -> tuple[list[str], list[str]]:
    """The profile ids and device ids that make up one person."""
    devices: set[str] = {anonymous_id} if anonymous_id else set()
    ids: list[str] = []
    if user_id is not None:
        ids.append(user_key(user_id))
        devices |= set(
            await session.scalars(
                select(IdentityLinkRow.anonymous_id).where(IdentityLinkRow.user_id == user_id)
            )
        )
    ids += [anonymous_key(d) for d in sorted(devices)]
    return ids, sorted(devices)


async def owners_of(session: AsyncSession, profile_ids: Collection[str]) -> dict[str, str]:
    """The user profile each of these device profiles was linked to by a login (devices
    never linked, and users' profiles, are left out)."""
    devices = {d: p for p in profile_ids if (d := device_of(p)) is not None}
    ids = sorted(devices)
    owners: dict[str, str] = {}
    for first in range(0, len(ids), CHUNK):
        links = await linked_users(session, ids[first : first + CHUNK])
        owners |= {devices[d]: profile_id(None, user) for d, user in links.items()}
    return owners


async def erased_among(session: AsyncSession, profile_ids: Collection[str]) -> set[str]:
    """Those of these profiles whose person has been erased.

    A profile that is gone was erased, unless it is a device's that logging in merged into
    its user's: that device keeps its identity link (erasure removes the link too), and its
    data lives on under the user, so it still counts as someone's.
    """
    missing = set(profile_ids) - await existing_profiles(session, profile_ids)
    return missing - set(await owners_of(session, missing))


async def _partner_rows_of(
    session: AsyncSession, user_id: str | None, ids: list[str]
) -> ColumnElement[bool]:
    """Partner traits about the person: by their user id or their profiles' email hashes."""
    hashes = [
        h
        for traits in await session.scalars(select(ProfileRow.traits).where(ProfileRow.id.in_(ids)))
        if isinstance(h := traits.get("emailHash"), str)
    ]
    conditions: list[ColumnElement[bool]] = [
        (PartnerTraitsRow.subject_kind == "email") & PartnerTraitsRow.subject.in_(hashes)
    ]
    if user_id is not None:
        conditions.append(
            (PartnerTraitsRow.subject_kind == "user") & (PartnerTraitsRow.subject == user_id)
        )
    return or_(*conditions)


def _merges_of(user_id: str | None, devices: list[str]) -> Any:
    conditions: list[ColumnElement[bool]] = [MergeRow.anonymous_id.in_(devices)]
    if user_id is not None:
        conditions.append(MergeRow.user_id == user_id)
    return or_(*conditions)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export_person(
    session: AsyncSession, user_id: str | None, anonymous_id: str | None
) -> dict[str, Any]:
    ids, devices = await viewer_ids_of(session, user_id, anonymous_id)
    profiles = list(await session.scalars(select(ProfileRow).where(ProfileRow.id.in_(ids))))
    events = await session.scalars(
        select(EventRow).where(EventRow.viewer_id.in_(ids)).order_by(EventRow.timestamp)
    )
    consent = await session.scalars(
        select(ConsentRecordRow)
        .where(ConsentRecordRow.viewer_id.in_(ids))
        .order_by(ConsentRecordRow.recorded_at, ConsentRecordRow.id)
    )
    merges = await session.scalars(select(MergeRow).where(_merges_of(user_id, devices)))
    partner = await session.scalars(
        select(PartnerTraitsRow).where(await _partner_rows_of(session, user_id, ids))
    )
    return {
        **await _segment_records(session, ids),
        "recommendationModels": await versions_trained_on(session, ids),
        "propensityScores": await score_rows_of(session, ids),
        "triggerOffers": await offers_of(session, ids),
        "userId": user_id,
        "anonymousIds": devices,
        "profiles": [
            {
                "id": p.id,
                "traits": p.traits,
                "activity": p.activity,
                "createdAt": _iso(p.created_at),
                "updatedAt": _iso(p.updated_at),
            }
            for p in profiles
        ],
        "events": [
            {
                "id": e.id,
                "type": e.type,
                "timestamp": _iso(e.timestamp),
                "receivedAt": _iso(e.received_at),
                "anonymousId": e.anonymous_id,
                "userId": e.user_id,
                "entryId": e.entry_id,
                "properties": e.properties,
                "context": e.context,
            }
            for e in events
        ],
        "consentHistory": [
            {
                "viewerId": c.viewer_id,  # a merged device keeps its records; the user has copies
                "purpose": c.purpose,
                "granted": c.granted,
                "source": c.source,
                "policyVersion": c.policy_version,
                "gpc": c.gpc,
                "recordedAt": _iso(c.recorded_at),
            }
            for c in consent
        ],
        "partnerTraits": [
            {"source": p.source, "traits": p.traits, "importedAt": _iso(p.imported_at)}
            for p in partner
        ],
        "experimentExposures": await exposure_records(session, ids),
        "identityMerges": [
            {
                "anonymousId": m.anonymous_id,
                "userId": m.user_id,
                "eventsMoved": m.events_moved,
                "mergedAt": _iso(m.merged_at),
            }
            for m in merges
        ],
    }


async def _segment_records(session: AsyncSession, ids: list[str]) -> dict[str, Any]:
    """What stored segment data says about these profiles: memberships, moves, clusters."""
    members = await session.scalars(
        select(SegmentMemberRow)
        .where(SegmentMemberRow.profile_id.in_(ids))
        .order_by(SegmentMemberRow.segment_key)
    )
    moves = await session.scalars(
        select(SegmentChangeRow)
        .where(SegmentChangeRow.profile_id.in_(ids))
        .order_by(SegmentChangeRow.at, SegmentChangeRow.id)
    )
    clusters = await session.scalars(
        select(ClusterAssignmentRow).where(ClusterAssignmentRow.profile_id.in_(ids))
    )
    return {
        "segmentMemberships": [
            {"profileId": m.profile_id, "segment": m.segment_key, "since": _iso(m.since)}
            for m in members
        ],
        "segmentMoves": [
            {
                "profileId": c.profile_id,
                "segment": c.segment_key,
                "change": c.change,
                "at": _iso(c.at),
            }
            for c in moves
        ],
        "clusterAssignments": [
            {
                "profileId": a.profile_id,
                "modelVersion": a.version,
                "cluster": a.cluster,
                "assignedAt": _iso(a.assigned_at),
            }
            for a in clusters
        ],
    }


async def erase_person(
    session: AsyncSession,
    user_id: str | None,
    anonymous_id: str | None,
    requested_by: str,
    now: datetime,
    retrain_by: datetime | None = None,
) -> tuple[list[str], dict[str, int]]:
    """Erase one person everywhere in the database; returns their profile ids and counts.

    Their rows in the recommendation models' viewer lists go too, but only after every
    version their data trained is marked for replacement by ``retrain_by`` (default: now):
    the mark names nobody, and it is what makes the next scheduled run replace a champion
    trained on them. The artifacts hold no per-viewer data, so nothing else changes there.
    """
    ids, devices = await viewer_ids_of(session, user_id, anonymous_id)
    removed: dict[str, int] = {}
    await mark_retrain_due(session, ids, retrain_by or now)
    removed["recommendationModelViewers"] = await forget_viewers(session, ids)

    async def purge(name: str, statement: Any) -> None:
        result = await session.execute(statement)
        removed[name] = int(getattr(result, "rowcount", 0) or 0)

    partner = await _partner_rows_of(session, user_id, ids)
    await purge("partnerTraits", delete(PartnerTraitsRow).where(partner))
    await purge("events", delete(EventRow).where(EventRow.viewer_id.in_(ids)))
    await purge(
        "consentRecords", delete(ConsentRecordRow).where(ConsentRecordRow.viewer_id.in_(ids))
    )
    await purge("profiles", delete(ProfileRow).where(ProfileRow.id.in_(ids)))
    removed["experimentExposures"] = await erase_exposures(session, ids)
    held = await session.execute(
        select(SegmentMemberRow.segment_key, func.count())
        .where(SegmentMemberRow.profile_id.in_(ids))
        .group_by(SegmentMemberRow.segment_key)
    )
    await add_to_sizes(session, {key: -int(n) for key, n in held})
    await purge(
        "segmentMemberships",
        delete(SegmentMemberRow).where(SegmentMemberRow.profile_id.in_(ids)),
    )
    await purge(
        "segmentChanges", delete(SegmentChangeRow).where(SegmentChangeRow.profile_id.in_(ids))
    )
    await purge(
        "clusterAssignments",
        delete(ClusterAssignmentRow).where(ClusterAssignmentRow.profile_id.in_(ids)),
    )
    await purge(
        "propensityScores",
        delete(PropensityScoreRow).where(PropensityScoreRow.viewer_id.in_(ids)),
    )
    removed["triggerOffers"] = await forget_offers(session, ids)
    links: list[ColumnElement[bool]] = [IdentityLinkRow.anonymous_id.in_(devices)]
    if user_id is not None:
        links.append(IdentityLinkRow.user_id == user_id)
    await purge("identityLinks", delete(IdentityLinkRow).where(or_(*links)))
    await purge("identityMerges", delete(MergeRow).where(_merges_of(user_id, devices)))
    session.add(ErasureRow(erased_at=now, requested_by=requested_by, removed=removed))
    await session.flush()
    return ids, removed
