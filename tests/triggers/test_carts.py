"""Abandoned carts derived from add_to_cart and purchase events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from veneer.triggers.carts import CartEvent, abandoned_carts, abandonment_id

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _at(kind: str, minutes: float, id_: str | None = None) -> CartEvent:
    return CartEvent(id_ or f"{kind}-{minutes}", kind, T0 + timedelta(minutes=minutes))


def test_a_cart_with_no_purchase_within_the_window_is_abandoned_once() -> None:
    events = [_at("add_to_cart", 0), _at("add_to_cart", 20, "last")]
    assert abandoned_carts(events, HOUR, T0 + timedelta(minutes=79)) == []
    (cart,) = abandoned_carts(events, HOUR, T0 + timedelta(minutes=80))
    assert cart.timestamp == T0 + timedelta(minutes=80) and cart.items == 2
    assert cart.id == abandonment_id("last")
    assert abandoned_carts(events, HOUR, T0 + timedelta(days=3)) == [cart]  # same id again


def test_a_purchase_in_time_saves_the_cart_and_a_reported_abandonment_stands_for_it() -> None:
    bought = [_at("add_to_cart", 0), _at("purchase", 30)]
    assert abandoned_carts(bought, HOUR, T0 + timedelta(days=1)) == []
    reported = [_at("add_to_cart", 0), _at("cart_abandoned", 50)]
    assert abandoned_carts(reported, HOUR, T0 + timedelta(days=1)) == []


def test_separate_carts_are_abandoned_separately() -> None:
    events = [_at("add_to_cart", 0), _at("add_to_cart", 180), _at("purchase", 400)]
    carts = abandoned_carts(events, HOUR, T0 + timedelta(days=1))
    assert [c.timestamp for c in carts] == [T0 + HOUR, T0 + timedelta(minutes=240)]
    assert len({c.id for c in carts}) == 2
