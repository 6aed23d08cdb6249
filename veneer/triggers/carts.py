"""Carts abandoned, derived from ``add_to_cart`` and ``purchase`` events.

A cart is the run of a viewer's ``add_to_cart`` events with no purchase between them and no
gap longer than the abandonment window; a purchase closes it. A cart whose last addition is
``after`` old with no purchase since is abandoned, at that last addition plus ``after``.
A ``cart_abandoned`` the site sent itself for the cart stands for it, so none is derived.

The derived event's id is a hash of the last addition's id, so deriving again (another
worker, a rerun, a redelivery) yields the same id, which the event receipts turn into a
duplicate: each abandonment is counted once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

CART_EVENTS = frozenset({"add_to_cart", "purchase", "cart_abandoned"})
DERIVED_PREFIX = "derived:cart_abandoned:"


@dataclass(frozen=True)
class CartEvent:
    id: str
    type: str
    timestamp: datetime


@dataclass(frozen=True)
class Abandonment:
    id: str  # deterministic: the same cart always derives the same id
    timestamp: datetime
    last_added: str  # the id of the cart's last add_to_cart
    items: int  # add_to_cart events in the cart


def abandonment_id(last_add_id: str) -> str:
    return DERIVED_PREFIX + hashlib.sha256(last_add_id.encode()).hexdigest()[:40]


def abandoned_carts(
    events: Sequence[CartEvent], after: timedelta, now: datetime
) -> list[Abandonment]:
    """One viewer's abandoned carts as of ``now``, oldest first."""
    found: list[Abandonment] = []
    cart: list[CartEvent] = []

    def close(reported: bool) -> None:
        if cart and not reported:
            last = cart[-1]
            found.append(
                Abandonment(abandonment_id(last.id), last.timestamp + after, last.id, len(cart))
            )
        cart.clear()

    ordered = sorted(events, key=lambda e: (e.timestamp, e.type != "add_to_cart", e.id))
    for event in ordered:
        if event.timestamp > now:
            break
        if cart and event.timestamp > cart[-1].timestamp + after:
            close(reported=False)
        if event.type == "add_to_cart":
            cart.append(event)
        elif event.type == "purchase" or (event.type == "cart_abandoned" and cart):
            close(reported=True)
    if cart and cart[-1].timestamp + after <= now:
        close(reported=False)
    return found
