"""Segment sizes and how they moved day by day, kept so that reading them scans nothing.

Every move of members (live, backfill, sweep) adjusts the kept size in the transaction that
made it; the history of entries and exits (per profile, or as a backfill's totals) gives the
trend by walking back from today's size.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.dialect import dialect_insert, utc_day
from veneer.store.models import SegmentChangeRow, SegmentMemberRow, SegmentSizeRow


async def add_to_sizes(session: AsyncSession, deltas: Mapping[str, int]) -> None:
    """Move the stored sizes by ``deltas`` (in the transaction that moved the members)."""
    for key, delta in sorted(deltas.items()):
        if delta:
            statement = dialect_insert(session)(SegmentSizeRow).values(segment_key=key, size=delta)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["segment_key"], set_={"size": SegmentSizeRow.size + delta}
                )
            )


async def recount_sizes(session: AsyncSession, keys: Collection[str]) -> None:
    """Set the kept sizes of ``keys`` from the members themselves.

    Run after a full backfill or sweep: two processes deciding the same profile at once may
    both count it as entering, and this puts the kept size right again.
    """
    counted = dict(
        (key, int(n))
        for key, n in await session.execute(
            select(SegmentMemberRow.segment_key, func.count())
            .where(SegmentMemberRow.segment_key.in_(list(keys)))
            .group_by(SegmentMemberRow.segment_key)
        )
    )
    for key in sorted(keys):
        size = counted.get(key, 0)
        statement = dialect_insert(session)(SegmentSizeRow).values(segment_key=key, size=size)
        await session.execute(
            statement.on_conflict_do_update(index_elements=["segment_key"], set_={"size": size})
        )


async def sizes(session: AsyncSession) -> dict[str, int]:
    """Members per segment, as kept by every move (no scan of the members)."""
    rows = await session.execute(select(SegmentSizeRow.segment_key, SegmentSizeRow.size))
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
    on_day = utc_day(SegmentChangeRow.at, session.get_bind().dialect.name)
    rows = await session.execute(
        select(
            SegmentChangeRow.segment_key,
            SegmentChangeRow.change,
            on_day,
            func.sum(SegmentChangeRow.profiles),
        )
        .where(SegmentChangeRow.segment_key.in_(keys), SegmentChangeRow.at >= start)
        .group_by(SegmentChangeRow.segment_key, SegmentChangeRow.change, on_day)
    )
    # Summed per day in the database: a busy segment's moves never travel one by one.
    moves = {(key, on, change): int(n) for key, change, on, n in rows}
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
