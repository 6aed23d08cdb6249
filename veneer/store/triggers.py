"""Saved triggers and the offers they made each viewer.

Serving reads a viewer's offer history and records what it serves in one transaction,
with the viewer locked (SQLite: the write lock every writing session takes; PostgreSQL: a
transaction-scoped advisory lock on the viewer), so two requests at once cannot both take
the last place under a cap.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, distinct, exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.audit import record_change
from veneer.store.dialect import utc_day
from veneer.store.models import EventRow, TriggerOfferRow, TriggerRow
from veneer.triggers.evaluate import DueOffer, History, Offer


async def list_triggers(session: AsyncSession) -> list[TriggerRow]:
    return list(await session.scalars(select(TriggerRow).order_by(TriggerRow.key)))


async def upsert_trigger(
    session: AsyncSession, key: str, spec: Mapping[str, Any], now: datetime
) -> TriggerRow:
    row = await session.get(TriggerRow, key, with_for_update=True)
    if row is None:
        row = TriggerRow(key=key, spec=dict(spec), created_at=now, updated_at=now)
        session.add(row)
        record_change(session, "trigger.saved", key, dict(spec))
    elif row.spec != dict(spec):
        row.spec, row.updated_at = dict(spec), now
        record_change(session, "trigger.saved", key, dict(spec))
    await session.flush()
    return row


async def delete_trigger(session: AsyncSession, key: str) -> bool:
    """Delete a trigger and the offers still waiting from it; served ones stay as history."""
    result = await session.execute(delete(TriggerRow).where(TriggerRow.key == key))
    await session.execute(
        delete(TriggerOfferRow).where(
            TriggerOfferRow.trigger_key == key, TriggerOfferRow.state == "due"
        )
    )
    deleted = bool(getattr(result, "rowcount", 0))
    if deleted:
        record_change(session, "trigger.deleted", key)
    return deleted


async def lock_viewer(session: AsyncSession, viewer_id: str) -> None:
    """Serialize offer decisions for one viewer until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:viewer))"), {"viewer": viewer_id}
        )


async def offer_history(
    session: AsyncSession,
    viewer_id: str,
    since: datetime,
    dismissed: Mapping[str, datetime] | None = None,
) -> dict[str, History]:
    """Per trigger: when it was served since ``since``, and its waiting due offer, if any."""
    rows = await session.execute(
        select(
            TriggerOfferRow.trigger_key,
            TriggerOfferRow.state,
            TriggerOfferRow.created_at,
            TriggerOfferRow.served_at,
            TriggerOfferRow.reason,
        )
        .where(
            TriggerOfferRow.viewer_id == viewer_id,
            (TriggerOfferRow.state == "due") | (TriggerOfferRow.served_at >= since),
        )
        .order_by(TriggerOfferRow.created_at, TriggerOfferRow.id)
    )
    served: dict[str, list[datetime]] = {}
    due: dict[str, DueOffer] = {}
    for key, state, created_at, served_at, reason in rows:
        if state == "due":
            due[key] = DueOffer(created_at, reason)
        elif served_at is not None:
            served.setdefault(key, []).append(served_at)
    dismissed = dismissed or {}
    return {
        key: History(tuple(served.get(key, ())), dismissed.get(key), due.get(key))
        for key in set(served) | set(due) | set(dismissed)
    }


async def record_served(
    session: AsyncSession, viewer_id: str, offers: Sequence[Offer], now: datetime
) -> None:
    """Served offers count towards the caps; a waiting due offer becomes served."""
    for offer in offers:
        if offer.from_due:
            await session.execute(
                update(TriggerOfferRow)
                .where(
                    TriggerOfferRow.viewer_id == viewer_id,
                    TriggerOfferRow.trigger_key == offer.trigger,
                    TriggerOfferRow.state == "due",
                )
                .values(state="served", served_at=now)
            )
        else:
            session.add(
                TriggerOfferRow(
                    viewer_id=viewer_id,
                    trigger_key=offer.trigger,
                    placement=offer.placement,
                    state="served",
                    reason=offer.reason,
                    created_at=now,
                    served_at=now,
                )
            )
    await session.flush()


async def record_due(
    session: AsyncSession, viewer_id: str, offers: Sequence[Offer], now: datetime
) -> None:
    for offer in offers:
        session.add(
            TriggerOfferRow(
                viewer_id=viewer_id,
                trigger_key=offer.trigger,
                placement=offer.placement,
                state="due",
                reason=offer.reason,
                created_at=now,
            )
        )
    await session.flush()


async def dismiss_due(
    session: AsyncSession, viewer_id: str, dismissed: Mapping[str, datetime]
) -> int:
    """Due offers the viewer dismissed (an ``offer_dismissed`` after they became due)."""
    count = 0
    for key, at in dismissed.items():
        result = await session.execute(
            update(TriggerOfferRow)
            .where(
                TriggerOfferRow.viewer_id == viewer_id,
                TriggerOfferRow.trigger_key == key,
                TriggerOfferRow.state == "due",
                TriggerOfferRow.created_at <= at,
            )
            .values(state="dismissed", dismissed_at=at)
        )
        count += int(getattr(result, "rowcount", 0) or 0)
    return count


async def due_counts(session: AsyncSession, viewer_ids: Collection[str]) -> dict[str, int]:
    """How many offers wait for each of these viewers (for listings and tests)."""
    rows = await session.execute(
        select(TriggerOfferRow.viewer_id, func.count())
        .where(TriggerOfferRow.viewer_id.in_(sorted(viewer_ids)), TriggerOfferRow.state == "due")
        .group_by(TriggerOfferRow.viewer_id)
    )
    return {viewer: int(n) for viewer, n in rows}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def offers_of(session: AsyncSession, viewer_ids: Collection[str]) -> list[dict[str, Any]]:
    """A person's offer records, oldest first, as an export lists them."""
    rows = await session.scalars(
        select(TriggerOfferRow)
        .where(TriggerOfferRow.viewer_id.in_(sorted(viewer_ids)))
        .order_by(TriggerOfferRow.created_at, TriggerOfferRow.id)
    )
    return [
        {
            "viewerId": r.viewer_id,
            "trigger": r.trigger_key,
            "placement": r.placement,
            "state": r.state,
            "reason": r.reason,
            "createdAt": _iso(r.created_at),
            "servedAt": _iso(r.served_at),
            "dismissedAt": _iso(r.dismissed_at),
        }
        for r in rows
    ]


async def move_offers(session: AsyncSession, source: str, target: str) -> int:
    """A device's offers join its user's on login, so caps count both."""
    result = await session.execute(
        update(TriggerOfferRow).where(TriggerOfferRow.viewer_id == source).values(viewer_id=target)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def forget_offers(session: AsyncSession, viewer_ids: Collection[str]) -> int:
    result = await session.execute(
        delete(TriggerOfferRow).where(TriggerOfferRow.viewer_id.in_(sorted(viewer_ids)))
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class TriggerActivity:
    """What one trigger did since a day: offers by state, viewers served, viewers who reached
    its daily cap (counted once per day they reached it), viewers who converted after."""

    offers: dict[str, int]
    viewers: int = 0
    capped: int = 0
    converted: int = 0


async def trigger_activity(
    session: AsyncSession, since: datetime, daily_caps: Mapping[str, int], metric: str
) -> dict[str, TriggerActivity]:
    """Per trigger key, all counted in the database (one row per trigger comes back)."""
    offers: dict[str, dict[str, int]] = {}
    for key, state, n in await session.execute(
        select(TriggerOfferRow.trigger_key, TriggerOfferRow.state, func.count())
        .where(TriggerOfferRow.created_at >= since)
        .group_by(TriggerOfferRow.trigger_key, TriggerOfferRow.state)
    ):
        offers.setdefault(key, {})[state] = int(n)
    served = (TriggerOfferRow.state == "served") & (TriggerOfferRow.served_at >= since)
    did = exists().where(
        EventRow.viewer_id == TriggerOfferRow.viewer_id,
        EventRow.type == metric,
        EventRow.timestamp >= TriggerOfferRow.served_at,
    )
    viewers = dict(
        (key, int(n))
        for key, n in await session.execute(
            select(TriggerOfferRow.trigger_key, func.count(distinct(TriggerOfferRow.viewer_id)))
            .where(served)
            .group_by(TriggerOfferRow.trigger_key)
        )
    )
    converted = dict(
        (key, int(n))
        for key, n in await session.execute(
            select(TriggerOfferRow.trigger_key, func.count(distinct(TriggerOfferRow.viewer_id)))
            .where(served, did)
            .group_by(TriggerOfferRow.trigger_key)
        )
    )
    capped: dict[str, int] = {}
    if daily_caps:
        day = utc_day(TriggerOfferRow.served_at, session.get_bind().dialect.name)
        cap = case(dict(daily_caps), value=TriggerOfferRow.trigger_key)
        reached = (
            select(TriggerOfferRow.trigger_key.label("key"))
            .where(served, TriggerOfferRow.trigger_key.in_(list(daily_caps)))
            .group_by(TriggerOfferRow.trigger_key, TriggerOfferRow.viewer_id, day)
            .having(func.count() >= cap)
            .subquery()
        )
        capped = dict(
            (key, int(n))
            for key, n in await session.execute(
                select(reached.c.key, func.count()).group_by(reached.c.key)
            )
        )
    return {
        key: TriggerActivity(
            offers.get(key, {}), viewers.get(key, 0), capped.get(key, 0), converted.get(key, 0)
        )
        for key in set(offers) | set(viewers)
    }


async def recent_offers(
    session: AsyncSession, viewer_id: str, since: datetime
) -> list[tuple[str, str]]:
    """(trigger, reason) of the offers served to the viewer since ``since`` or waiting for
    them, the latest of each trigger, newest first: what the viewer may be looking at."""
    rows = await session.execute(
        select(TriggerOfferRow.trigger_key, TriggerOfferRow.reason)
        .where(
            TriggerOfferRow.viewer_id == viewer_id,
            (TriggerOfferRow.state == "due") | (TriggerOfferRow.served_at >= since),
        )
        .order_by(TriggerOfferRow.created_at.desc(), TriggerOfferRow.id.desc())
    )
    latest: dict[str, str] = {}
    for key, reason in rows:
        latest.setdefault(key, reason)
    return list(latest.items())
