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
    and_,
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
from veneer.store.models import (
    ProfileRow,
    SegmentChangeRow,
    SegmentMemberRow,
    SegmentSizeRow,
    UTCDateTime,
)
from veneer.store.segment_sql import Clock, compile_rule, event_conditions, event_counts, events

DECIDED = "veneer_decided"  # temporary tables, made and dropped by each refresh
WANTED, ENTERING, LEAVING = "veneer_wanted", "veneer_entering", "veneer_leaving"
profiles = ProfileRow.__table__


@dataclass(frozen=True)
class Refresh:
    profiles: int
    entered: int
    left: int
    next_id: str | None  # where the next slice starts; None after the last


@dataclass(frozen=True)
class Scope:
    """Which profiles a refresh decides, said for each table it reads."""

    profiles: ColumnElement[bool]
    members: ColumnElement[bool]
    events: ColumnElement[bool]

    @classmethod
    def range(cls, first: str, before: str | None) -> Scope:
        def within(column: Any) -> ColumnElement[bool]:
            return column >= first if before is None else and_(column >= first, column < before)

        return cls(
            within(profiles.c.id), within(SegmentMemberRow.profile_id), within(events.c.viewer_id)
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
    wanted, entering, leaving = (_pairs(name) for name in (WANTED, ENTERING, LEAVING))
    for table in (decided, wanted, entering, leaving):
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
        now = literal(clock.now, UTCDateTime())
        return await _move(session, ordered, (wanted, entering, leaving), now, scope)
    finally:
        for table in (leaving, entering, wanted, decided):
            await session.run_sync(_drop, table)


async def _move(
    session: AsyncSession,
    keys: list[str],
    tables: tuple[Table, Table, Table],
    now: ColumnElement[Any],
    scope: Scope,
) -> tuple[int, int]:
    """Entering = wanted minus stored; leaving = stored minus wanted (EXCEPT, hashed)."""
    wanted, entering, leaving = tables
    member = SegmentMemberRow
    pair = ["segment_key", "profile_id"]
    stored = select(member.segment_key, member.profile_id).where(
        member.segment_key.in_(keys), scope.members
    )
    mine = select(wanted.c.segment_key, wanted.c.profile_id)
    await session.execute(insert(entering).from_select(pair, mine.except_(stored)))
    await session.execute(insert(leaving).from_select(pair, stored.except_(mine)))
    for moved, change in ((entering, "entered"), (leaving, "left")):
        await session.execute(
            dialect_insert(session)(SegmentChangeRow)
            .from_select(
                [*pair, "change", "at"],
                select(moved.c.segment_key, moved.c.profile_id, literal(change), now).where(true()),
            )
            .on_conflict_do_nothing()  # the same move decided twice at the same instant
        )
    # Another process may add the same member meanwhile: the first one wins.
    await session.execute(
        dialect_insert(session)(member)
        .from_select(
            [*pair, "since"],
            select(entering.c.segment_key, entering.c.profile_id, now).where(true()),
        )
        .on_conflict_do_nothing()
    )
    gone = exists().where(
        leaving.c.segment_key == member.segment_key, leaving.c.profile_id == member.profile_id
    )
    await session.execute(delete(member).where(member.segment_key.in_(keys), scope.members, gone))
    moved_in = await _per_segment(session, entering)
    moved_out = await _per_segment(session, leaving)
    deltas = {k: moved_in.get(k, 0) - moved_out.get(k, 0) for k in {*moved_in, *moved_out}}
    await add_to_sizes(session, deltas)
    return sum(moved_in.values()), sum(moved_out.values())


async def _per_segment(session: AsyncSession, moved: Table) -> dict[str, int]:
    rows = await session.execute(
        select(moved.c.segment_key, func.count()).group_by(moved.c.segment_key)
    )
    return {key: int(n) for key, n in rows}


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


def _pairs(name: str) -> Table:
    return _temporary(
        name,
        Column("segment_key", String(100), primary_key=True),
        Column("profile_id", String(200), primary_key=True),
    )


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    """Rows a query yields (drivers disagree on rowcount for INSERT ... SELECT)."""
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def slice_starts(session: AsyncSession, size: int) -> list[str]:
    """The first profile id of each slice of ``size`` profiles, in id order."""
    numbered = select(
        profiles.c.id, func.row_number().over(order_by=profiles.c.id).label("n")
    ).subquery()
    starts = select(numbered.c.id).where((numbered.c.n - 1) % size == 0).order_by(numbered.c.id)
    return list(await session.scalars(starts))


async def refresh_range(
    session: AsyncSession,
    rules: Mapping[str, Rule],
    keys: Collection[str],
    clock: Clock,
    first: str,
    before: str | None,
) -> Refresh:
    """Re-decide the profiles from ``first`` up to (not including) ``before`` for ``keys``."""
    scope = Scope.range(first, before)
    size = await _count(session, select(profiles.c.id).where(scope.profiles))
    entered, left = await decide(session, rules, keys, clock, scope)
    if entered and session.get_bind().dialect.name == "postgresql":
        # A backfill grows the table faster than autovacuum re-plans; stale statistics
        # would turn the next slice's lookups into scans.
        await session.execute(text("ANALYZE segment_members"))
    return Refresh(size, entered, left, before)


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
    await session.execute(delete(SegmentSizeRow).where(SegmentSizeRow.segment_key == key))
