"""Propensity models and scores: written by training and rescoring, read by id by requests.

A request reads one viewer's scores through the primary key (viewer, event); nothing on the
request path scans the table. Training replaces an event's scores in one transaction, so a
reader sees the previous model's scores or the new one's, never a mix.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.propensity.record import ModelRecord, Score, model_name
from veneer.store.dialect import dialect_insert
from veneer.store.models import PropensityModelRow, PropensityScoreRow

CHUNK = 5_000  # ids per IN (...) list, rows per INSERT


async def save_model(
    session: AsyncSession,
    event: str,
    kind: str,
    details: dict[str, Any],
    fitted: bytes,
    at: datetime,
) -> int:
    """Store a new version of ``event``'s model; returns its version."""
    latest = await session.scalar(
        select(func.max(PropensityModelRow.version)).where(PropensityModelRow.event == event)
    )
    version = int(latest or 0) + 1
    session.add(
        PropensityModelRow(
            event=event, version=version, kind=kind, details=details, fitted=fitted, trained_at=at
        )
    )
    await session.flush()
    return version


_NEWEST = (
    select(PropensityModelRow.event, func.max(PropensityModelRow.version).label("version"))
    .group_by(PropensityModelRow.event)
    .subquery()
)
# Statements read on every event are built once: building one costs more than running it.
_LATEST_MODELS = select(
    PropensityModelRow.event,
    PropensityModelRow.version,
    PropensityModelRow.kind,
    PropensityModelRow.details,
    PropensityModelRow.trained_at,
).join(
    _NEWEST,
    and_(
        _NEWEST.c.event == PropensityModelRow.event,
        _NEWEST.c.version == PropensityModelRow.version,
    ),
)
_SCORES_OF = (
    select(
        PropensityScoreRow.event,
        PropensityScoreRow.score,
        PropensityModelRow.kind,
        PropensityScoreRow.version,
        PropensityScoreRow.updated_at,
    )
    .join(
        PropensityModelRow,
        and_(
            PropensityModelRow.event == PropensityScoreRow.event,
            PropensityModelRow.version == PropensityScoreRow.version,
        ),
    )
    .where(PropensityScoreRow.viewer_id == bindparam("viewer_id"))
)


async def latest_models(session: AsyncSession) -> dict[str, ModelRecord]:
    """The newest model of each event, without the fitted classifiers (they are large)."""
    rows = await session.execute(_LATEST_MODELS)
    return {
        event: ModelRecord(event, version, kind, dict(details), at)
        for event, version, kind, details, at in rows
    }


async def trained_events(session: AsyncSession) -> frozenset[str]:
    """The events with a stored model (a handful of rows)."""
    return frozenset(await session.scalars(select(PropensityModelRow.event).distinct()))


async def fitted_model(session: AsyncSession, event: str, version: int) -> bytes | None:
    row = await session.get(PropensityModelRow, (event, version))
    return None if row is None else row.fitted


async def replace_scores(
    session: AsyncSession, event: str, version: int, scores: Mapping[str, float], at: datetime
) -> None:
    """``event``'s scores become exactly these: viewers left out lose theirs."""
    await session.execute(delete(PropensityScoreRow).where(PropensityScoreRow.event == event))
    rows = [
        {"viewer_id": v, "event": event, "score": s, "version": version, "updated_at": at}
        for v, s in sorted(scores.items())
    ]
    for first in range(0, len(rows), CHUNK):
        await session.execute(insert(PropensityScoreRow), rows[first : first + CHUNK])


async def save_scores(
    session: AsyncSession, event: str, version: int, scores: Mapping[str, float], at: datetime
) -> None:
    """Set these viewers' scores for ``event``, replacing what they had."""
    for viewer_id, score in sorted(scores.items()):
        values = {"score": score, "version": version, "updated_at": at}
        statement = dialect_insert(session)(PropensityScoreRow).values(
            viewer_id=viewer_id, event=event, **values
        )
        await session.execute(
            statement.on_conflict_do_update(index_elements=["viewer_id", "event"], set_=values)
        )


async def delete_scores(
    session: AsyncSession, viewer_ids: Collection[str], event: str | None = None
) -> int:
    """Drop these viewers' scores (for ``event``, or all); returns how many went."""
    ids = sorted(set(viewer_ids))
    removed = 0
    for first in range(0, len(ids), CHUNK):
        statement = delete(PropensityScoreRow).where(
            PropensityScoreRow.viewer_id.in_(ids[first : first + CHUNK])
        )
        if event is not None:
            statement = statement.where(PropensityScoreRow.event == event)
        result = await session.execute(statement)
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


async def scores_of(session: AsyncSession, viewer_id: str) -> dict[str, Score]:
    """The viewer's scores by event, each naming its model (``logistic:v3``)."""
    rows = await session.execute(_SCORES_OF, {"viewer_id": viewer_id})
    return {
        event: Score(event, float(score), model_name(kind, version), at)
        for event, score, kind, version, at in rows
    }


async def score_rows_of(session: AsyncSession, viewer_ids: Collection[str]) -> list[dict[str, Any]]:
    """The same, with the viewer each belongs to: what an export lists."""
    rows = await session.execute(
        select(PropensityScoreRow)
        .where(PropensityScoreRow.viewer_id.in_(sorted(set(viewer_ids))))
        .order_by(PropensityScoreRow.viewer_id, PropensityScoreRow.event)
    )
    return [
        {
            "profileId": row.viewer_id,
            "event": row.event,
            "score": row.score,
            "modelVersion": row.version,
            "updatedAt": row.updated_at.isoformat(),
        }
        for row in rows.scalars()
    ]
