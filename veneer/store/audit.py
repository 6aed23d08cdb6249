"""The audit log's rows: written beside each change, read newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.audit import ACTOR
from veneer.store.models import AuditRow, utcnow


def record_change(
    session: AsyncSession, action: str, subject: str, details: dict[str, Any] | None = None
) -> None:
    """Log ``action`` on ``subject`` by whoever acts now, in the session's transaction."""
    session.add(
        AuditRow(
            at=utcnow(), actor=ACTOR.get(), action=action, subject=subject, details=details or {}
        )
    )


async def changes(
    session: AsyncSession, limit: int, before_id: int | None = None
) -> list[AuditRow]:
    """The newest ``limit`` entries (older than ``before_id``, to page back)."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    return list(await session.scalars(query))


def as_entry(row: AuditRow) -> dict[str, Any]:
    """One entry as exported (`veneer audit --json`, the Insights download): plain JSON."""
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "action": row.action,
        "subject": row.subject,
        "details": row.details,
    }
