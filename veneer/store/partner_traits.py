"""Imported partner and third-party traits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.profiles.traits import TraitSource
from veneer.store.models import PartnerTraitsRow, utcnow


async def merge_partner_traits(
    session: AsyncSession,
    subject_kind: str,
    subject: str,
    source: TraitSource,
    traits: Mapping[str, Any],
) -> None:
    """Lay imported traits over what earlier imports from the same source said."""
    row = await session.scalar(
        select(PartnerTraitsRow).where(
            PartnerTraitsRow.subject_kind == subject_kind,
            PartnerTraitsRow.subject == subject,
            PartnerTraitsRow.source == source.value,
        )
    )
    if row is None:
        session.add(
            PartnerTraitsRow(
                subject_kind=subject_kind, subject=subject, source=source.value, traits=dict(traits)
            )
        )
    else:
        row.traits = {**row.traits, **traits}
        row.imported_at = utcnow()


async def partner_traits_for(
    session: AsyncSession, user_id: str | None, email_hash: str | None
) -> dict[TraitSource, dict[str, Any]]:
    """Partner traits for a viewer; user-keyed rows win over email-keyed ones."""
    conditions = []
    if user_id:
        conditions.append(
            (PartnerTraitsRow.subject_kind == "user") & (PartnerTraitsRow.subject == user_id)
        )
    if email_hash:
        conditions.append(
            (PartnerTraitsRow.subject_kind == "email") & (PartnerTraitsRow.subject == email_hash)
        )
    if not conditions:
        return {}
    rows = await session.scalars(select(PartnerTraitsRow).where(or_(*conditions)))
    result: dict[TraitSource, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r.subject_kind == "user"):
        layer = result.setdefault(TraitSource(row.source), {})
        layer.update(row.traits)
    return result
