"""Data-quality counters: added to per batch, summed per report."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.events.quality import TallyKey
from veneer.store.dialect import dialect_insert
from veneer.store.models import QualityCountRow


async def add_counts(
    session: AsyncSession, day: date, source: str, counts: Counter[TallyKey]
) -> None:
    if not counts:
        return
    statement = dialect_insert(session)(QualityCountRow).values(
        [
            {"day": day, "source": source, "event_type": kind, "metric": metric, "count": n}
            for (kind, metric), n in sorted(counts.items())
        ]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["day", "source", "event_type", "metric"],
        set_={"count": QualityCountRow.count + statement.excluded.count},
    )
    await session.execute(statement)


async def counts_since(session: AsyncSession, since: date) -> list[tuple[str, str, str, int]]:
    rows = await session.execute(
        select(
            QualityCountRow.source,
            QualityCountRow.event_type,
            QualityCountRow.metric,
            func.sum(QualityCountRow.count),
        )
        .where(QualityCountRow.day >= since)
        .group_by(QualityCountRow.source, QualityCountRow.event_type, QualityCountRow.metric)
    )
    return [(s, t, m, int(n)) for s, t, m, n in rows]
