"""Abandoned carts, derived by the worker: an ``add_to_cart`` not followed by a ``purchase``
within ``VENEER_CART_ABANDONED_AFTER`` becomes a ``cart_abandoned`` event, which triggers
count like one the site sent.

Derived events go through the same door as sent ones (receipts, activity, derived state),
so they are counted once: their ids are fixed by the cart (`veneer.triggers.carts`), and a
rerun, a second worker or a restart finds them already received. They are kept only for
viewers whose ANALYTICS consent stands now, as the events they are derived from were.
"""

from __future__ import annotations

from datetime import timedelta

from veneer.consent import Purpose, effective_consent
from veneer.events.model import Event
from veneer.jobs.derived import refresh_derived
from veneer.services import Services
from veneer.store.consent import consent_records_for
from veneer.store.events import cart_histories, save_new_events
from veneer.triggers.carts import CART_EVENTS, CartEvent, abandoned_carts

LOOK_BACK = timedelta(days=7)  # carts abandoned while no worker ran are still found


async def derive_abandoned_carts(services: Services) -> int:
    """Store the cart abandonments that are due; returns how many were new."""
    now = services.clock()
    after = services.settings.cart_abandoned_after
    since = now - after - LOOK_BACK
    async with services.db.reading() as session:
        histories = await cart_histories(session, since, now - after, CART_EVENTS)
        records = await consent_records_for(session, histories)
    derived: list[Event] = []
    for viewer_id, rows in histories.items():
        consent = effective_consent(records[viewer_id], services.settings.consent_default)
        if not consent[Purpose.ANALYTICS].granted:
            continue
        by_id = {row.id: row for row in rows}
        carts = abandoned_carts([CartEvent(r.id, r.type, r.timestamp) for r in rows], after, now)
        for cart in carts:
            last = by_id[cart.last_added]
            derived.append(
                Event(
                    id=cart.id,
                    type="cart_abandoned",
                    timestamp=cart.timestamp,
                    received_at=now,
                    anonymous_id=last.anonymous_id,
                    user_id=last.user_id,
                    entry_id=None,
                    properties={"derived": True, "items": cart.items},
                    context={},
                )
            )
    if not derived:
        return 0
    async with services.db.session() as session:
        stored = await save_new_events(session, derived, now)
    changed = {event.viewer_id for event in stored}
    for viewer_id in changed:
        await services.viewer_id_changed(viewer_id)
    await refresh_derived(services, changed, {"cart_abandoned"})
    return len(stored)
