"""Profile activity: the running aggregates a viewer's events add up to.

Pure: `apply_events` takes the stored aggregate and new events and returns the new aggregate.
Events may arrive late or out of order, so every field is order-independent (counts, sums,
max/min timestamps), except the cart, which follows arrival order as shops do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from copy import deepcopy
from typing import Any

from veneer.events.model import Event

MAX_TRACKED_ENTRIES = 500


def _cart_item(event: Event) -> str | None:
    sku = event.properties.get("sku")
    if isinstance(sku, str) and sku:
        return sku
    return event.entry_id


def apply_events(activity: Mapping[str, Any], events: Iterable[Event]) -> dict[str, Any]:
    """Return ``activity`` with ``events`` counted in; the input is left untouched."""
    result: dict[str, Any] = deepcopy(dict(activity))
    counts: dict[str, int] = result.setdefault("counts", {})
    entries: dict[str, int] = result.setdefault("entries", {})
    cart: dict[str, int] = result.setdefault("cart", {})
    purchases: dict[str, Any] = result.setdefault("purchases", {"count": 0, "value": {}})
    for event in events:
        counts[event.type] = counts.get(event.type, 0) + 1
        if event.entry_id is not None and (
            event.entry_id in entries or len(entries) < MAX_TRACKED_ENTRIES
        ):
            entries[event.entry_id] = entries.get(event.entry_id, 0) + 1
        stamp = event.timestamp.isoformat()
        if stamp > result.get("lastSeen", ""):
            result["lastSeen"] = stamp
        if not result.get("firstSeen") or stamp < result["firstSeen"]:
            result["firstSeen"] = stamp
        if event.type == "time_on_page":
            seconds = float(event.properties.get("seconds", 0))
            result["timeOnPageSeconds"] = result.get("timeOnPageSeconds", 0.0) + seconds
        elif event.type in ("add_to_cart", "remove_from_cart"):
            item = _cart_item(event)
            if item is not None:
                quantity = int(event.properties.get("quantity", 1))
                sign = 1 if event.type == "add_to_cart" else -1
                remaining = cart.get(item, 0) + sign * quantity
                if remaining > 0:
                    cart[item] = remaining
                else:
                    cart.pop(item, None)
        elif event.type == "purchase":
            purchases["count"] += 1
            currency = str(event.properties["currency"])
            value = float(event.properties["value"])
            purchases["value"][currency] = round(purchases["value"].get(currency, 0.0) + value, 2)
            cart.clear()
    return result


def merge_activity(user: Mapping[str, Any], anonymous: Mapping[str, Any]) -> dict[str, Any]:
    """One person's activity from two profiles (a device's history joining its user's)."""
    result: dict[str, Any] = deepcopy(dict(user))
    for name in ("counts", "entries", "cart"):
        merged: dict[str, int] = result.setdefault(name, {})
        for key, n in anonymous.get(name, {}).items():
            merged[key] = merged.get(key, 0) + n
    seen = [s for s in (user.get("firstSeen"), anonymous.get("firstSeen")) if s]
    if seen:
        result["firstSeen"] = min(seen)
    seen = [s for s in (user.get("lastSeen"), anonymous.get("lastSeen")) if s]
    if seen:
        result["lastSeen"] = max(seen)
    seconds = user.get("timeOnPageSeconds", 0.0) + anonymous.get("timeOnPageSeconds", 0.0)
    if seconds:
        result["timeOnPageSeconds"] = seconds
    theirs = anonymous.get("purchases", {"count": 0, "value": {}})
    purchases = result.setdefault("purchases", {"count": 0, "value": {}})
    purchases["count"] += theirs.get("count", 0)
    for currency, value in theirs.get("value", {}).items():
        purchases["value"][currency] = round(purchases["value"].get(currency, 0.0) + value, 2)
    return result
