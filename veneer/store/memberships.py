"""Stored segment membership: refreshed from SQL, with every entry and exit recorded.

Requests decide membership live (`veneer.segments.evaluate`); what is stored here is for the
questions requests do not answer: how big is a segment, how has it grown, who entered when.
A refresh works on one slice of profiles at a time (by id), so a backfill over millions of
profiles shows progress and holds no long transaction, and the worker can refresh just the
profiles a batch of events touched.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    MetaData,
    Select,
    String,
    Table,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from veneer.segments.rules import Rule
from veneer.store.dialect import dialect_insert
from veneer.store.models import ProfileRow, SegmentChangeRow, SegmentMemberRow, UTCDateTime
from veneer.store.segment_sql import Clock, compile_rule, event_conditions, event_counts, events

DECIDED = "veneer_decided"  # temporary tables, made and dropped by each refresh
WANTED = "veneer_wanted"
profiles = ProfileRow.__table__


@dataclass(frozen=True)
class Refresh:
    profiles: int
    entered: int
    left: int
    last_id: str | None  # where the next slice starts; None when there was nothing left


@dataclass(frozen=True)
class Scope:
    """Which profiles a refresh decides, said for each table it reads."""

    profiles: ColumnElement[bool]
    members: ColumnElement[bool]
    events: ColumnElement[bool]

    @classmethod
    def between(cls, first: str, last: str) -> Scope:
        return cls(
            profiles.c.id.between(first, last),
            SegmentMemberRow.profile_id.between(first, last),
            events.c.viewer_id.between(first, last),
        )

    @classmethod
    def only(cls, profile_ids: Sequence[str]) -> Scope:
        wanted = sorted(set(profile_ids))
        return cls(
            profiles.c.id.in_(wanted),
            SegmentMemberRow.profile_id.in_(wanted),
            events.c.viewer_id.in_(wanted),
        )


def _temporary(name: str, *columns: Column[Any]) -> Table:
    return Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])


def _create(session: Session, table: Table) -> None:
    table.create(session.connection())


def _drop(session: Session, table: Table) -> None:
    table.drop(session.connection())


async def decide(
    session: AsyncSession,
    rules: Mapping[str, Rule],
    keys: Collection[str],
    clock: Clock,
    scope: Scope,
) -> tuple[int, int]:
    """Decide ``keys`` for the profiles in ``scope``; record who entered and who left.

    One pass decides every segment for every profile in scope (profiles joined to one grouped
    pass over their events) into a temporary table; the wanted (segment, profile) pairs are
    then compared with the stored ones as set operations, a handful of statements for all
    segments together, so nothing per profile or per segment round-trips through Python.
    """
    ordered = sorted(keys)
    if not ordered:
        return 0, 0
    dialect = session.get_bind().dialect.name
    counts = event_counts(event_conditions(rules, ordered), clock, dialect, scope.events)
    source = profiles
    if counts is not None:
        source = profiles.outerjoin(counts.table, counts.table.c.viewer_id == profiles.c.id)
    decided = _temporary(
        DECIDED,
        Column("id", String(200), primary_key=True),
        *(Column(f"s{i}", Boolean, nullable=False) for i in range(len(ordered))),
    )
    wanted = _temporary(
        WANTED,
        Column("segment_key", String(100), primary_key=True),
        Column("profile_id", String(200), primary_key=True),
    )
    for table in (decided, wanted):
        await session.run_sync(_create, table)
    try:
        decisions = [compile_rule(rules[k], rules, clock, dialect, counts) for k in ordered]
        await session.execute(
            insert(decided).from_select(
                [c.name for c in decided.columns],
                select(profiles.c.id, *decisions).select_from(source).where(scope.profiles),
            )
        )
        pairs = union_all(
            *(
                select(literal(key).label("k"), decided.c.id).where(decided.c[f"s{i}"])
                for i, key in enumerate(ordered)
            )
        )
        await session.execute(insert(wanted).from_select(["segment_key", "profile_id"], pairs))
        if dialect == "postgresql":  # temporary tables are never analysed on their own
            await session.execute(text(f"ANALYZE {WANTED}"))
        return await _move(session, ordered, wanted, literal(clock.now, UTCDateTime()), scope)
    finally:
        for table in (wanted, decided):
            await session.run_sync(_drop, table)


async def _move(
    session: AsyncSession,
    keys: list[str],
    wanted: Table,
    now: ColumnElement[Any],
    scope: Scope,
) -> tuple[int, int]:
    member = SegmentMemberRow
    stored = exists().where(
        member.segment_key == wanted.c.segment_key, member.profile_id == wanted.c.profile_id
    )
    still_wanted = exists().where(
        wanted.c.segment_key == member.segment_key, wanted.c.profile_id == member.profile_id
    )
    change_columns = ["segment_key", "profile_id", "change", "at"]
    newcomers = select(wanted.c.segment_key, wanted.c.profile_id).where(~stored)
    entered = await _count(session, newcomers)
    await session.execute(
        insert(SegmentChangeRow).from_select(
            change_columns,
            select(wanted.c.segment_key, wanted.c.profile_id, literal("entered"), now).where(
                ~stored
            ),
        )
    )
    # Another process may add the same member meanwhile: the first one wins.
    await session.execute(
        dialect_insert(session)(member)
        .from_select(
            ["segment_key", "profile_id", "since"],
            select(wanted.c.segment_key, wanted.c.profile_id, now).where(true()),
        )
        .on_conflict_do_nothing()
    )
    leaving = (member.segment_key.in_(keys), scope.members, ~still_wanted)
    left = await _count(session, select(member.profile_id).where(*leaving))
    await session.execute(
        insert(SegmentChangeRow).from_select(
            change_columns,
            select(member.segment_key, member.profile_id, literal("left"), now).where(*leaving),
        )
    )
    await session.execute(delete(member).where(*leaving))
    return entered, left


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    """Rows a query yields (drivers disagree on rowcount for INSERT ... SELECT)."""
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def refresh_slice(
    session: AsyncSession,
    rules: Mapping[str, Rule],
    keys: Collection[str],
    clock: Clock,
    after_id: str | None,
    size: int,
) -> Refresh:
    """Re-decide the ``size`` profiles after ``after_id`` (in id order) for ``keys``."""
    ids = select(profiles.c.id).order_by(profiles.c.id).limit(size)
    if after_id is not None:
        ids = ids.where(profiles.c.id > after_id)
    slice_ids = list(await session.scalars(ids))
    if not slice_ids:
        return Refresh(0, 0, 0, None)
    scope = Scope.between(slice_ids[0], slice_ids[-1])
    entered, left = await decide(session, rules, keys, clock, scope)
    if entered and session.get_bind().dialect.name == "postgresql":
        # A backfill grows the table faster than autovacuum re-plans; stale statistics
        # would turn the next slice's lookups into scans.
        await session.execute(text("ANALYZE segment_members"))
    return Refresh(len(slice_ids), entered, left, slice_ids[-1])


async def refresh_profiles(
    session: AsyncSession,
    rules: Mapping[str, Rule],
    keys: Collection[str],
    clock: Clock,
    profile_ids: Sequence[str],
) -> tuple[int, int]:
    """Re-decide just these profiles (the ones a batch of events or traits touched)."""
    return await decide(session, rules, keys, clock, Scope.only(profile_ids))


async def count_profiles(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(profiles)) or 0)


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
