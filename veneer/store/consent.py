"""Consent records: append-only, so the history doubles as the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.consent import ConsentState, Purpose
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
    return [
        ConsentState(
            purpose=Purpose(row.purpose),
            granted=row.granted,
            updated_at=row.recorded_at,
            source=row.source,
            policy_version=row.policy_version,
        )
        for row in rows
    ]
