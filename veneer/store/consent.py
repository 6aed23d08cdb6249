"""Consent records: append-only, so the history doubles as the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.consent import ConsentRecord, ConsentState, Purpose
from veneer.consent.merge import decisions_the_user_takes_over
from veneer.store.dialect import utc_day
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


# Columns, not ORM objects, in a statement built once: this is read on every event batch.
_RECORDS_OF = (
    select(
        ConsentRecordRow.viewer_id,
        ConsentRecordRow.purpose,
        ConsentRecordRow.granted,
        ConsentRecordRow.recorded_at,
        ConsentRecordRow.source,
        ConsentRecordRow.policy_version,
    )
    .where(ConsentRecordRow.viewer_id.in_(bindparam("ids", expanding=True)))
    .order_by(ConsentRecordRow.recorded_at, ConsentRecordRow.id)
)


async def consent_records(session: AsyncSession, viewer_id: str) -> list[ConsentState]:
    return (await consent_records_for(session, [viewer_id]))[viewer_id]


async def consent_records_for(
    session: AsyncSession, viewer_ids: Iterable[str]
) -> dict[str, list[ConsentState]]:
    """Records of several viewers in one query (a batch of events names many viewers)."""
    ids = sorted(set(viewer_ids))
    result: dict[str, list[ConsentState]] = {viewer_id: [] for viewer_id in ids}
    if not ids:
        return result
    rows = await session.execute(_RECORDS_OF, {"ids": ids})
    for viewer_id, purpose, granted, recorded_at, source, policy_version in rows:
        result[viewer_id].append(
            ConsentState(
                purpose=Purpose(purpose),
                granted=granted,
                updated_at=recorded_at,
                source=source,
                policy_version=policy_version,
            )
        )
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


async def copy_to_user(session: AsyncSession, device_id: str, user_id: str) -> int:
    """Give the user a copy of the device's decisions they have nothing newer against.

    The device's own records stay: see `veneer.consent.merge` for why. Returns how many
    decisions were copied (none when the merge is repeated).
    """
    copies = decisions_the_user_takes_over(
        await consent_history(session, device_id), await consent_history(session, user_id)
    )
    session.add_all(
        ConsentRecordRow(
            viewer_id=user_id,
            purpose=record.purpose.value,
            granted=record.granted,
            source=record.source,
            policy_version=record.policy_version,
            gpc=record.gpc,
            recorded_at=record.recorded_at,
        )
        for record in copies
    )
    await session.flush()
    return len(copies)


@dataclass(frozen=True)
class ConsentShares:
    """Viewers' standing decisions: per purpose, (granting, deciding); and of the viewers who
    decided anything, how many sent Global Privacy Control with their latest decision."""

    purposes: dict[str, tuple[int, int]]
    viewers: int
    gpc: int


async def consent_shares(session: AsyncSession) -> ConsentShares:
    """Counted from each viewer's latest record per purpose, in the database."""
    latest_per_purpose = select(func.max(ConsentRecordRow.id)).group_by(
        ConsentRecordRow.viewer_id, ConsentRecordRow.purpose
    )
    granting = func.sum(case((ConsentRecordRow.granted, 1), else_=0))
    rows = await session.execute(
        select(ConsentRecordRow.purpose, granting, func.count())
        .where(ConsentRecordRow.id.in_(latest_per_purpose))
        .group_by(ConsentRecordRow.purpose)
    )
    purposes = {purpose: (int(granted or 0), int(n)) for purpose, granted, n in rows}
    latest = select(func.max(ConsentRecordRow.id)).group_by(ConsentRecordRow.viewer_id)
    viewers, gpc = (
        await session.execute(
            select(func.count(), func.sum(case((ConsentRecordRow.gpc, 1), else_=0))).where(
                ConsentRecordRow.id.in_(latest)
            )
        )
    ).one()
    return ConsentShares(purposes, int(viewers), int(gpc or 0))


async def decisions_by_day(
    session: AsyncSession, since: datetime
) -> list[tuple[date, str, int, int]]:
    """Per UTC day and purpose since ``since``: decisions recorded that granted it, and all."""
    day = utc_day(ConsentRecordRow.recorded_at, session.get_bind().dialect.name)
    granting = func.sum(case((ConsentRecordRow.granted, 1), else_=0))
    rows = await session.execute(
        select(day, ConsentRecordRow.purpose, granting, func.count())
        .where(ConsentRecordRow.recorded_at >= since)
        .group_by(day, ConsentRecordRow.purpose)
    )
    return [(on, purpose, int(granted or 0), int(n)) for on, purpose, granted, n in rows]
