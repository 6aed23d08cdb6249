"""Stored segment membership: refreshed from SQL, with every entry and exit recorded.

Requests decide membership live (`veneer.segments.evaluate`); what is stored here is for the
questions requests do not answer: how big is a segment, how has it grown, who entered when.
A refresh works on one slice of profiles at a time (by id), so a backfill over millions of
profiles shows progress and holds no long transaction, and the worker can refresh just the
profiles a batch of events touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.dialect import dialect_insert
from veneer.store.models import ProfileRow, SegmentChangeRow, SegmentMemberRow

DELETE_CHUNK = 500  # bound parameters per statement stay well inside both databases' limits


@dataclass(frozen=True)
class Refresh:
    profiles: int
    entered: int
    left: int
    last_id: str | None  # where the next slice starts; None when there was nothing left


async def _apply(
    session: AsyncSession,
    key: str,
    matching: set[str],
    current: set[str],
    now: datetime,
) -> tuple[int, int]:
    entered, left = matching - current, current - matching
    if entered:  # Core executemany: a backfill may add a million rows
        rows = [{"segment_key": key, "profile_id": p, "since": now} for p in sorted(entered)]
        # Another process may decide the same profile at the same moment: first one wins.
        statement = dialect_insert(session)(SegmentMemberRow).on_conflict_do_nothing()
        await session.execute(statement, rows)
    ordered = sorted(left)
    for start in range(0, len(ordered), DELETE_CHUNK):
        chunk = ordered[start : start + DELETE_CHUNK]
        await session.execute(
            delete(SegmentMemberRow).where(
                SegmentMemberRow.segment_key == key, SegmentMemberRow.profile_id.in_(chunk)
            )
        )
    changes = [
        {"segment_key": key, "profile_id": p, "change": change, "at": now}
        for change, moved in (("entered", entered), ("left", left))
        for p in sorted(moved)
    ]
    if changes:
        await session.execute(insert(SegmentChangeRow), changes)
    return len(entered), len(left)


async def _refresh(
    session: AsyncSession,
    conditions: Mapping[str, ColumnElement[bool]],
    now: datetime,
    which: ColumnElement[bool],
    members_which: ColumnElement[bool],
) -> tuple[int, int]:
    """One pass over the chosen profiles decides every segment in ``conditions`` at once."""
    keys = sorted(conditions)
    decided = await session.execute(
        select(ProfileRow.id, *(conditions[k].label(f"s{i}") for i, k in enumerate(keys))).where(
            which
        )
    )
    matching: dict[str, set[str]] = {k: set() for k in keys}
    for row in decided:
        for i, key in enumerate(keys):
            if row[i + 1]:
                matching[key].add(row[0])
    current: dict[str, set[str]] = {k: set() for k in keys}
    members = await session.execute(
        select(SegmentMemberRow.segment_key, SegmentMemberRow.profile_id).where(
            SegmentMemberRow.segment_key.in_(keys), members_which
        )
    )
    for key, profile_id in members:
        current[key].add(profile_id)
    entered = left = 0
    for key in keys:
        moved_in, moved_out = await _apply(session, key, matching[key], current[key], now)
        entered, left = entered + moved_in, left + moved_out
    return entered, left


async def refresh_slice(
    session: AsyncSession,
    conditions: Mapping[str, ColumnElement[bool]],
    now: datetime,
    after_id: str | None,
    size: int,
) -> Refresh:
    """Re-decide the ``size`` profiles after ``after_id`` (in id order) for these segments."""
    ids = select(ProfileRow.id).order_by(ProfileRow.id).limit(size)
    if after_id is not None:
        ids = ids.where(ProfileRow.id > after_id)
    slice_ids = list(await session.scalars(ids))
    if not slice_ids:
        return Refresh(0, 0, 0, None)
    first, last = slice_ids[0], slice_ids[-1]
    entered, left = await _refresh(
        session,
        conditions,
        now,
        ProfileRow.id.between(first, last),
        SegmentMemberRow.profile_id.between(first, last),
    )
    return Refresh(len(slice_ids), entered, left, last)


async def refresh_profiles(
    session: AsyncSession,
    conditions: Mapping[str, ColumnElement[bool]],
    now: datetime,
    profile_ids: Sequence[str],
) -> tuple[int, int]:
    """Re-decide just these profiles (the ones a batch of events or traits touched)."""
    wanted = sorted(set(profile_ids))
    return await _refresh(
        session,
        conditions,
        now,
        ProfileRow.id.in_(wanted),
        SegmentMemberRow.profile_id.in_(wanted),
    )


async def count_profiles(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ProfileRow)) or 0)


async def sizes(session: AsyncSession) -> dict[str, int]:
    """Members per segment, in one query for all segments."""
    rows = await session.execute(
        select(SegmentMemberRow.segment_key, func.count()).group_by(SegmentMemberRow.segment_key)
    )
    return {key: int(n) for key, n in rows}


@dataclass(frozen=True)
class DayTrend:
    day: date
    entered: int
    left: int
    size: int  # at the end of the day


async def trends(
    session: AsyncSession, keys: Sequence[str], now: datetime, days: int
) -> dict[str, list[DayTrend]]:
    """Entries, exits and end-of-day size for the last ``days`` days, for all ``keys`` at once."""
    start = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time(), now.tzinfo)
    rows = await session.execute(
        select(SegmentChangeRow.segment_key, SegmentChangeRow.change, SegmentChangeRow.at).where(
            SegmentChangeRow.segment_key.in_(keys), SegmentChangeRow.at >= start
        )
    )
    moves: dict[tuple[str, date, str], int] = {}
    for key, change, at in rows:
        moves[(key, at.date(), change)] = moves.get((key, at.date(), change), 0) + 1
    current = await sizes(session)
    result: dict[str, list[DayTrend]] = {}
    for key in keys:
        size = current.get(key, 0)
        series = []
        for back in range(days):  # walk back from today, undoing each day's moves
            day = now.date() - timedelta(days=back)
            entered = moves.get((key, day, "entered"), 0)
            left = moves.get((key, day, "left"), 0)
            series.append(DayTrend(day, entered, left, size))
            size -= entered - left
        result[key] = list(reversed(series))
    return result


async def forget_segment(session: AsyncSession, key: str) -> None:
    await session.execute(delete(SegmentMemberRow).where(SegmentMemberRow.segment_key == key))
    await session.execute(delete(SegmentChangeRow).where(SegmentChangeRow.segment_key == key))
