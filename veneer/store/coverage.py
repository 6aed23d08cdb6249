"""Personalization coverage counts: added to by each app process's flush, read per day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.dialect import dialect_insert
from veneer.store.models import PersonalizationCountRow


async def add_counts(session: AsyncSession, counts: Mapping[tuple[date, str, str], int]) -> None:
    """Add ``counts`` by (day, reason, strategy) to what is stored: several processes flush
    into the same rows, so each adds its own and none overwrites another's."""
    if not counts:
        return
    statement = dialect_insert(session)(PersonalizationCountRow).values(
        [
            {"day": day, "reason": reason, "strategy": strategy, "count": n}
            for (day, reason, strategy), n in sorted(counts.items())
        ]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["day", "reason", "strategy"],
        set_={"count": PersonalizationCountRow.count + statement.excluded.count},
    )
    await session.execute(statement)


async def coverage_since(session: AsyncSession, since: date) -> list[tuple[date, str, str, int]]:
    """(day, reason, strategy, count) from ``since`` on, by day, reason, then strategy."""
    row = PersonalizationCountRow
    rows = await session.execute(
        select(row.day, row.reason, row.strategy, row.count)
        .where(row.day >= since)
        .order_by(row.day, row.reason, row.strategy)
    )
    return [(day, reason, strategy, int(n)) for day, reason, strategy, n in rows]
