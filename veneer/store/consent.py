"""Consent records: append-only, so the history doubles as the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.consent import ConsentRecord, ConsentState, Purpose
from veneer.store.models import ConsentRecordRow


async def record_consent(
    session: AsyncSession,
    viewer_id: str,
    decisions: Iterable[tuple[Purpose, bool]],
    *,
    source: str | None,
    policy_version: str | None,
    gpc: bool,
    now: datetime,
) -> None:
    session.add_all(
        ConsentRecordRow(
            viewer_id=viewer_id,
            purpose=purpose.value,
            granted=granted,
            source=source,
            policy_version=policy_version,
            gpc=gpc,
            recorded_at=now,
        )
        for purpose, granted in decisions
    )
    await session.flush()


async def consent_records(session: AsyncSession, viewer_id: str) -> list[ConsentState]:
    rows = await session.scalars(
        select(ConsentRecordRow)
        .where(ConsentRecordRow.viewer_id == viewer_id)
        .order_by(ConsentRecordRow.recorded_at, ConsentRecordRow.id)
    )
    return [_state(row) for row in rows]


def _state(row: ConsentRecordRow) -> ConsentState:
    return ConsentState(
        purpose=Purpose(row.purpose),
        granted=row.granted,
        updated_at=row.recorded_at,
        source=row.source,
        policy_version=row.policy_version,
    )


async def consent_records_for(
    session: AsyncSession, viewer_ids: Iterable[str]
) -> dict[str, list[ConsentState]]:
    """Records of several viewers in one query (a batch of events names many viewers)."""
    ids = sorted(set(viewer_ids))
    result: dict[str, list[ConsentState]] = {viewer_id: [] for viewer_id in ids}
    if not ids:
        return result
    rows = await session.scalars(
        select(ConsentRecordRow)
        .where(ConsentRecordRow.viewer_id.in_(ids))
        .order_by(ConsentRecordRow.recorded_at, ConsentRecordRow.id)
    )
    for row in rows:
        result[row.viewer_id].append(_state(row))
    return result


async def consent_history(session: AsyncSession, viewer_id: str) -> list[ConsentRecord]:
    """The audit trail, with the GPC flag each decision was made under."""
    rows = await session.scalars(
        select(ConsentRecordRow)
        .where(ConsentRecordRow.viewer_id == viewer_id)
        .order_by(ConsentRecordRow.recorded_at, ConsentRecordRow.id)
    )
    return [
        ConsentRecord(
            purpose=Purpose(row.purpose),
            granted=row.granted,
            source=row.source,
            policy_version=row.policy_version,
            gpc=row.gpc,
            recorded_at=row.recorded_at,
        )
        for row in rows
    ]
