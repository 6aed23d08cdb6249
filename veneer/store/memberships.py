"""Stored segment membership: refreshed from SQL, with every entry and exit recorded.

Requests decide membership live (`veneer.segments.evaluate`); what is stored here is for the
questions requests do not answer: how big is a segment, how has it grown, who entered when.
A refresh works on one slice of profiles at a time (by id), so a backfill over millions of
profiles shows progress and holds no long transaction, and the worker can refresh just the
profiles a batch of events touched.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    FromClause,
    MetaData,
    Select,
    String,
    Subquery,
    Table,
    and_,
    case,
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
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.schema import DropTable

from veneer.segments.rules import Rule
from veneer.store.dialect import dialect_insert
from veneer.store.models import (
    EventRow,
    ProfileRow,
    SegmentChangeRow,
    SegmentMemberRow,
    SegmentSizeRow,
    UTCDateTime,
)
from veneer.store.segment_sizes import add_to_sizes
from veneer.store.segment_sql import Clock, compile_rule, event_conditions, event_counts, events

DECIDED = "veneer_decided"  # temporary tables, made and dropped by each refresh
ENTERING, LEAVING = "veneer_entering", "veneer_leaving"
TEMPORARY_SCHEMA = {"sqlite": "temp", "postgresql": "pg_temp"}  # where a connection keeps them
SLICE_WORK_MEM = "64MB"
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
    """Create ``table``, dropping one of that name a failed refresh left on this connection."""
    connection = session.connection()
    schema = TEMPORARY_SCHEMA[connection.dialect.name]
    connection.execute(DropTable(Table(table.name, MetaData(), schema=schema), if_exists=True))
    table.create(connection)


def _drop(session: Session, table: Table) -> None:
    table.drop(session.connection())


@contextlib.asynccontextmanager
async def _scratch(session: AsyncSession, table: Table) -> AsyncIterator[Table]:
    """A temporary table for one refresh, gone afterwards however the refresh ended.

    Temporary tables belong to the connection, and connections go back to the pool: one left
    behind by a failed refresh made every later refresh on that connection fail ("already
    exists") until a restart. SQLite keeps a temporary table created before the transaction
    began, yet rolls back the DROP that followed the failure; PostgreSQL refuses every
    statement, DROP included, once the transaction failed. So a leftover is dropped before
    creating, and the DROP after a failure is best effort: it must not hide the failure.
    """
    await session.run_sync(_create, table)
    try:
        yield table
    except Exception:
        with contextlib.suppress(SQLAlchemyError):
            await session.run_sync(_drop, table)
        raise
    await session.run_sync(_drop, table)


async def decide(
    session: AsyncSession,
    rules: Mapping[str, Rule],
    keys: Collection[str],
    clock: Clock,
    scope: Scope,
    each: bool = True,
) -> tuple[int, int]:
    """Decide ``keys`` for the profiles in ``scope``; record who entered and who left.

    One pass decides every segment for every profile in scope (profiles joined to one grouped
    pass over their events) into a temporary table; the wanted (segment, profile) pairs are
    then compared with the stored ones as set operations, a handful of statements for all
    segments together, so nothing per profile or per segment round-trips through Python.
    ``each`` records every move in the history; otherwise each segment's entries and exits
    are recorded as one total (a backfill, where per-profile rows would be most of the work).
    """
    ordered = sorted(keys)
    if not ordered:
        return 0, 0
    dialect = session.get_bind().dialect.name
    counts = event_counts(event_conditions(rules, ordered), clock, dialect, scope.events)
    source = profiles
    if counts is not None:
        source = profiles.outerjoin(counts.table, counts.table.c.viewer_id == profiles.c.id)
    # No keys on the scratch tables: they are written once, read whole, and dropped.
    decided = _temporary(
        DECIDED,
        Column("id", String(200), nullable=False),
        *(Column(f"s{i}", Boolean, nullable=False) for i in range(len(ordered))),
    )
    async with _scratch(session, decided):
        decisions = [compile_rule(rules[k], rules, clock, dialect, counts) for k in ordered]
        await session.execute(
            insert(decided).from_select(
                [c.name for c in decided.columns],
                select(profiles.c.id, *decisions).select_from(source).where(scope.profiles),
            )
        )
        pairs = union_all(
            *(
                select(literal(key).label("segment_key"), decided.c.id.label("profile_id")).where(
                    decided.c[f"s{i}"]
                )
                for i, key in enumerate(ordered)
            )
        ).subquery()
        if not await _any_stored(session, ordered, scope):
            return await _enter_all(session, ordered, decided, pairs, clock.now, each)
        return await _move(session, ordered, pairs, clock.now, scope, each)


async def _any_stored(session: AsyncSession, keys: list[str], scope: Scope) -> bool:
    member = SegmentMemberRow
    found = exists().where(member.segment_key.in_(keys), scope.members)
    return bool(await session.scalar(select(found)))


async def _enter_all(
    session: AsyncSession,
    keys: list[str],
    decided: Table,
    pairs: Subquery,
    at: datetime,
    each: bool,
) -> tuple[int, int]:
    """Nobody in scope is stored yet (a first backfill): every wanted pair simply enters."""
    now = literal(at, UTCDateTime())
    counted = await session.execute(
        select(*(func.count(case((decided.c[f"s{i}"], 1))) for i in range(len(keys))))
    )
    entered = dict(zip(keys, (int(n) for n in counted.one()), strict=True))
    # In key order, so the members' index grows at its end instead of everywhere.
    in_order = select(pairs.c.segment_key, pairs.c.profile_id, now).order_by(
        pairs.c.profile_id, pairs.c.segment_key
    )
    columns = ["segment_key", "profile_id", "since"]
    try:  # a plain insert skips a conflict check per row, most of a first backfill's cost
        async with session.begin_nested():
            await session.execute(insert(SegmentMemberRow).from_select(columns, in_order))
    except IntegrityError:  # another process added some of them meanwhile: theirs stand
        await session.execute(
            dialect_insert(session)(SegmentMemberRow)
            .from_select(columns, in_order)
            .on_conflict_do_nothing()
        )
    if each:
        await _record_each(session, pairs, "entered", now)
    else:
        await _record_totals(session, entered, {}, at)
    await add_to_sizes(session, entered)
    return sum(entered.values()), 0


async def _move(
    session: AsyncSession,
    keys: list[str],
    pairs: Subquery,
    at: datetime,
    scope: Scope,
    each: bool,
) -> tuple[int, int]:
    """Entering = wanted minus stored; leaving = stored minus wanted (EXCEPT, hashed)."""
    now = literal(at, UTCDateTime())
    entering, leaving = _pairs(ENTERING), _pairs(LEAVING)
    async with _scratch(session, entering), _scratch(session, leaving):
        member = SegmentMemberRow
        pair = ["segment_key", "profile_id"]
        stored = select(member.segment_key, member.profile_id).where(
            member.segment_key.in_(keys), scope.members
        )
        mine = select(pairs.c.segment_key, pairs.c.profile_id)
        await session.execute(insert(entering).from_select(pair, mine.except_(stored)))
        await session.execute(insert(leaving).from_select(pair, stored.except_(mine)))
        await session.execute(
            dialect_insert(session)(member)
            .from_select(
                [*pair, "since"],
                select(entering.c.segment_key, entering.c.profile_id, now).where(true()),
            )
            .on_conflict_do_nothing()  # another process may add the same member meanwhile
        )
        gone = exists().where(
            leaving.c.segment_key == member.segment_key, leaving.c.profile_id == member.profile_id
        )
        await session.execute(
            delete(member).where(member.segment_key.in_(keys), scope.members, gone)
        )
        moved_in = await _per_segment(session, entering)
        moved_out = await _per_segment(session, leaving)
        if each:
            await _record_each(session, entering, "entered", now)
            await _record_each(session, leaving, "left", now)
        else:
            await _record_totals(session, moved_in, moved_out, at)
    deltas = {k: moved_in.get(k, 0) - moved_out.get(k, 0) for k in {*moved_in, *moved_out}}
    await add_to_sizes(session, deltas)
    return sum(moved_in.values()), sum(moved_out.values())


async def _record_each(
    session: AsyncSession, moved: FromClause, change: str, now: ColumnElement[Any]
) -> None:
    """One history row per profile that moved, naming it (erasure removes these)."""
    await session.execute(
        insert(SegmentChangeRow).from_select(
            ["segment_key", "profile_id", "change", "at", "profiles"],
            select(moved.c.segment_key, moved.c.profile_id, literal(change), now, literal(1)),
        )
    )


async def _record_totals(
    session: AsyncSession,
    entered: Mapping[str, int],
    left: Mapping[str, int],
    at: datetime,
) -> None:
    """One history row per segment and direction, naming nobody."""
    rows = [
        {"segment_key": key, "profile_id": None, "change": change, "at": at, "profiles": n}
        for change, moved in (("entered", entered), ("left", left))
        for key, n in sorted(moved.items())
        if n
    ]
    if rows:
        await session.execute(insert(SegmentChangeRow), rows)


async def _per_segment(session: AsyncSession, moved: Table) -> dict[str, int]:
    rows = await session.execute(
        select(moved.c.segment_key, func.count()).group_by(moved.c.segment_key)
    )
    return {key: int(n) for key, n in rows}


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
    each: bool = True,
) -> Refresh:
    """Re-decide the profiles from ``first`` up to (not including) ``before`` for ``keys``."""
    scope = Scope.range(first, before)
    if session.get_bind().dialect.name == "postgresql":
        # A slice's sorts and hashes (events by viewer, members in key order) spill to
        # disk at the default 4MB; this transaction alone may use more.
        await session.execute(text(f"SET LOCAL work_mem = '{SLICE_WORK_MEM}'"))
    size = await _count(session, select(profiles.c.id).where(scope.profiles))
    entered, left = await decide(session, rules, keys, clock, scope, each)
    return Refresh(size, entered, left, before)


async def analyze_members(session: AsyncSession) -> None:
    """Refresh the planner's statistics of the members table (PostgreSQL).

    A backfill grows the table faster than autovacuum re-plans; with statistics that still
    say "empty", the next slices' lookups of stored members would turn into scans.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("ANALYZE segment_members"))


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


async def forget_segment(session: AsyncSession, key: str) -> None:
    await session.execute(delete(SegmentMemberRow).where(SegmentMemberRow.segment_key == key))
    await session.execute(delete(SegmentChangeRow).where(SegmentChangeRow.segment_key == key))
    await session.execute(delete(SegmentSizeRow).where(SegmentSizeRow.segment_key == key))


async def matching_profiles(
    session: AsyncSession, rule: Rule, rules: Mapping[str, Rule], clock: Clock, sample: int
) -> tuple[int, list[str]]:
    """How many profiles ``rule`` holds now, and the first ``sample`` of them by id."""
    condition = compile_rule(rule, rules, clock, session.get_bind().dialect.name)
    size = await session.scalar(select(func.count()).select_from(profiles).where(condition))
    ids = await session.scalars(
        select(profiles.c.id).where(condition).order_by(profiles.c.id).limit(sample)
    )
    return int(size or 0), list(ids)


async def members_converted(
    session: AsyncSession, key: str, event_type: str
) -> list[tuple[str, bool]]:
    """Each stored member of ``key``, and whether they sent ``event_type`` after entering."""
    converted = exists().where(
        EventRow.viewer_id == SegmentMemberRow.profile_id,
        EventRow.type == event_type,
        EventRow.timestamp >= SegmentMemberRow.since,
    )
    rows = await session.execute(
        select(SegmentMemberRow.profile_id, converted).where(SegmentMemberRow.segment_key == key)
    )
    return [(profile_id, bool(did)) for profile_id, did in rows]


def decides_in_parallel(session: AsyncSession) -> bool:
    """Whether slices may be decided at once: PostgreSQL yes, SQLite has one writer."""
    return session.get_bind().dialect.name == "postgresql"
