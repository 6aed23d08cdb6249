from __future__ import annotations

from copy import deepcopy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from veneer.events.activity import MAX_TRACKED_ENTRIES, apply_events, merge_activity
from veneer.events.model import Event
from veneer.events.validation import validate_batch

T0 = datetime(2026, 11, 26, 12, tzinfo=UTC)
_serial = iter(range(1_000_000))


def _event(
    event_type: str = "page_view",
    *,
    at: datetime = T0,
    entry_id: str | None = None,
    **properties: Any,
) -> Event:
    return Event(
        id=f"evt-{next(_serial)}",
        type=event_type,
        timestamp=at,
        received_at=T0,
        anonymous_id="anon-1",
        user_id=None,
        entry_id=entry_id,
        properties=properties,
        context={},
    )


ORDER_INDEPENDENT = ("counts", "entries", "firstSeen", "lastSeen", "timeOnPageSeconds", "purchases")


def _order_independent(activity: dict[str, Any]) -> dict[str, Any]:
    return {k: activity[k] for k in ORDER_INDEPENDENT if k in activity}


# --- the empty aggregate ----------------------------------------------------------------------


def test_no_events_give_the_empty_aggregate_shape() -> None:
    assert apply_events({}, []) == {
        "counts": {},
        "entries": {},
        "cart": {},
        "purchases": {"count": 0, "value": {}},
    }


def test_no_events_leave_an_existing_aggregate_as_it_was() -> None:
    stored = {
        "counts": {"page_view": 2},
        "entries": {"a": 1},
        "cart": {"s": 1},
        "purchases": {"count": 1, "value": {"EUR": 3.0}},
        "firstSeen": "2026-11-01T00:00:00+00:00",
        "lastSeen": "2026-11-02T00:00:00+00:00",
    }
    assert apply_events(stored, []) == stored


# --- counts and entries -----------------------------------------------------------------------


def test_counts_events_by_type() -> None:
    activity = apply_events(
        {},
        [_event("page_view"), _event("page_view"), _event("signup"), _event("quiz.done")],
    )
    assert activity["counts"] == {"page_view": 2, "signup": 1, "quiz.done": 1}


def test_counts_events_by_entry_and_ignores_events_without_one() -> None:
    activity = apply_events(
        {},
        [
            _event("entry_view", entry_id="tent-x2"),
            _event("entry_view", entry_id="tent-x2"),
            _event("click", entry_id="tent-x2"),
            _event("entry_view", entry_id="stove-1"),
            _event("page_view"),
        ],
    )
    assert activity["entries"] == {"tent-x2": 3, "stove-1": 1}


def test_counts_add_to_the_stored_aggregate() -> None:
    stored = {"counts": {"page_view": 5}, "entries": {"tent-x2": 2}}
    activity = apply_events(stored, [_event("page_view", entry_id="tent-x2")])
    assert activity["counts"] == {"page_view": 6}
    assert activity["entries"] == {"tent-x2": 3}


def test_entries_beyond_the_cap_are_not_tracked_but_known_ones_still_count() -> None:
    full = {"entries": {f"e{i}": 1 for i in range(MAX_TRACKED_ENTRIES)}}
    activity = apply_events(
        full, [_event("entry_view", entry_id="new-one"), _event("entry_view", entry_id="e0")]
    )
    assert len(activity["entries"]) == MAX_TRACKED_ENTRIES
    assert "new-one" not in activity["entries"]
    assert activity["entries"]["e0"] == 2
    assert activity["counts"] == {"entry_view": 2}


def test_the_entry_cap_applies_within_one_batch() -> None:
    events = [_event("entry_view", entry_id=f"e{i}") for i in range(MAX_TRACKED_ENTRIES + 10)]
    activity = apply_events({}, events)
    assert len(activity["entries"]) == MAX_TRACKED_ENTRIES
    assert set(activity["entries"]) == {f"e{i}" for i in range(MAX_TRACKED_ENTRIES)}
    assert activity["counts"]["entry_view"] == MAX_TRACKED_ENTRIES + 10


def test_one_below_the_cap_a_new_entry_is_still_tracked() -> None:
    almost = {"entries": {f"e{i}": 1 for i in range(MAX_TRACKED_ENTRIES - 1)}}
    activity = apply_events(almost, [_event("entry_view", entry_id="last")])
    assert activity["entries"]["last"] == 1
    assert len(activity["entries"]) == MAX_TRACKED_ENTRIES


# --- first and last seen ----------------------------------------------------------------------


def test_first_and_last_seen_are_the_earliest_and_latest_timestamps() -> None:
    stamps = [T0, T0 - timedelta(days=3), T0 + timedelta(hours=1), T0 - timedelta(hours=2)]
    activity = apply_events({}, [_event(at=s) for s in stamps])
    assert activity["firstSeen"] == "2026-11-23T12:00:00+00:00"
    assert activity["lastSeen"] == "2026-11-26T13:00:00+00:00"


def test_first_and_last_seen_do_not_depend_on_arrival_order() -> None:
    stamps = [T0 + timedelta(minutes=m) for m in (30, -90, 0, 45, -5)]
    forward = apply_events({}, [_event(at=s) for s in stamps])
    backward = apply_events({}, [_event(at=s) for s in reversed(stamps)])
    assert (forward["firstSeen"], forward["lastSeen"]) == (
        backward["firstSeen"],
        backward["lastSeen"],
    )
    assert forward["firstSeen"] == (T0 - timedelta(minutes=90)).isoformat()
    assert forward["lastSeen"] == (T0 + timedelta(minutes=45)).isoformat()


def test_a_late_event_moves_first_seen_back_but_not_last_seen() -> None:
    stored = apply_events({}, [_event(at=T0)])
    activity = apply_events(stored, [_event(at=T0 - timedelta(days=2))])
    assert activity["firstSeen"] == (T0 - timedelta(days=2)).isoformat()
    assert activity["lastSeen"] == T0.isoformat()


def test_sub_second_timestamps_order_correctly_against_whole_seconds() -> None:
    half = T0 + timedelta(milliseconds=500)
    activity = apply_events({}, [_event(at=half), _event(at=T0), _event(at=T0 + timedelta(1))])
    assert activity["firstSeen"] == T0.isoformat()
    activity = apply_events({}, [_event(at=T0), _event(at=half)])
    assert activity["lastSeen"] == half.isoformat()


# --- time on page -----------------------------------------------------------------------------


def test_time_on_page_seconds_are_summed() -> None:
    activity = apply_events(
        {"timeOnPageSeconds": 10.0},
        [_event("time_on_page", seconds=30), _event("time_on_page", seconds=12.5)],
    )
    assert activity["timeOnPageSeconds"] == pytest.approx(52.5)


def test_without_time_on_page_events_there_is_no_time_field() -> None:
    assert "timeOnPageSeconds" not in apply_events({}, [_event("page_view", seconds=99)])


# --- cart -------------------------------------------------------------------------------------


def test_add_to_cart_counts_quantities_by_sku() -> None:
    activity = apply_events(
        {},
        [
            _event("add_to_cart", entry_id="tent-x2", sku="TX2-GRN", quantity=2),
            _event("add_to_cart", entry_id="tent-x2", sku="TX2-RED"),
            _event("add_to_cart", entry_id="tent-x2", sku="TX2-GRN", quantity=1),
        ],
    )
    assert activity["cart"] == {"TX2-GRN": 3, "TX2-RED": 1}


def test_without_a_sku_the_cart_item_is_the_entry() -> None:
    activity = apply_events(
        {},
        [
            _event("add_to_cart", entry_id="tent-x2", quantity=2),
            _event("add_to_cart", entry_id="stove-1", sku=""),
        ],
    )
    assert activity["cart"] == {"tent-x2": 2, "stove-1": 1}


def test_a_cart_change_naming_no_item_leaves_the_cart_alone() -> None:
    activity = apply_events({"cart": {"s": 1}}, [_event("add_to_cart"), _event("remove_from_cart")])
    assert activity["cart"] == {"s": 1}
    assert activity["counts"] == {"add_to_cart": 1, "remove_from_cart": 1}


def test_remove_from_cart_lowers_the_quantity() -> None:
    activity = apply_events(
        {},
        [
            _event("add_to_cart", sku="s", quantity=5),
            _event("remove_from_cart", sku="s", quantity=2),
        ],
    )
    assert activity["cart"] == {"s": 3}


@pytest.mark.parametrize("removed", [3, 4, 100])
def test_an_item_removed_down_to_zero_or_below_leaves_the_cart(removed: int) -> None:
    activity = apply_events(
        {"cart": {"s": 3, "other": 1}}, [_event("remove_from_cart", sku="s", quantity=removed)]
    )
    assert activity["cart"] == {"other": 1}


def test_removing_an_item_not_in_the_cart_changes_nothing() -> None:
    activity = apply_events({"cart": {"s": 1}}, [_event("remove_from_cart", entry_id="ghost")])
    assert activity["cart"] == {"s": 1}


def test_remove_without_quantity_removes_one() -> None:
    activity = apply_events({"cart": {"s": 2}}, [_event("remove_from_cart", sku="s")])
    assert activity["cart"] == {"s": 1}


# --- purchases --------------------------------------------------------------------------------


def test_purchases_are_counted_and_summed_per_currency() -> None:
    activity = apply_events(
        {},
        [
            _event("purchase", value=100.10, currency="EUR"),
            _event("purchase", value=20.20, currency="EUR"),
            _event("purchase", value=50, currency="CHF"),
        ],
    )
    assert activity["purchases"] == {"count": 3, "value": {"EUR": 120.3, "CHF": 50.0}}


def test_purchase_sums_add_to_the_stored_ones() -> None:
    stored = {"purchases": {"count": 2, "value": {"EUR": 10.0}}}
    activity = apply_events(stored, [_event("purchase", value=0.1, currency="EUR")])
    assert activity["purchases"] == {"count": 3, "value": {"EUR": 10.1}}


def test_a_purchase_clears_the_cart() -> None:
    activity = apply_events(
        {},
        [
            _event("add_to_cart", sku="a", quantity=2),
            _event("add_to_cart", sku="b"),
            _event("purchase", value=40, currency="EUR"),
        ],
    )
    assert activity["cart"] == {}


def test_items_added_after_a_purchase_stay_in_the_cart() -> None:
    activity = apply_events(
        {"cart": {"old": 1}},
        [_event("purchase", value=40, currency="EUR"), _event("add_to_cart", sku="new")],
    )
    assert activity["cart"] == {"new": 1}


def test_cart_abandoned_is_counted_and_leaves_the_cart() -> None:
    activity = apply_events({"cart": {"s": 2}}, [_event("cart_abandoned")])
    assert activity["cart"] == {"s": 2}
    assert activity["counts"] == {"cart_abandoned": 1}


# --- purity and composition -------------------------------------------------------------------


def test_the_stored_aggregate_is_not_mutated() -> None:
    stored: dict[str, Any] = {
        "counts": {"page_view": 1},
        "entries": {"tent-x2": 1},
        "cart": {"s": 1},
        "purchases": {"count": 1, "value": {"EUR": 5.0}},
        "firstSeen": "2026-11-25T00:00:00+00:00",
        "lastSeen": "2026-11-25T00:00:00+00:00",
        "timeOnPageSeconds": 1.0,
    }
    snapshot = deepcopy(stored)
    result = apply_events(
        stored,
        [
            _event("entry_view", entry_id="tent-x2"),
            _event("time_on_page", seconds=5),
            _event("add_to_cart", sku="t"),
            _event("purchase", value=1, currency="EUR"),
        ],
    )
    assert stored == snapshot
    assert result["counts"] is not stored["counts"]
    assert result["purchases"]["value"] is not stored["purchases"]["value"]


def test_other_stored_fields_are_kept() -> None:
    activity = apply_events({"schema": 2}, [_event()])
    assert activity["schema"] == 2


def test_two_batches_equal_their_concatenation_for_order_independent_fields() -> None:
    first = [
        _event("entry_view", at=T0, entry_id="tent-x2"),
        _event("time_on_page", at=T0 + timedelta(minutes=1), seconds=40),
        _event("purchase", at=T0 + timedelta(minutes=5), value=19.99, currency="EUR"),
    ]
    second = [
        _event("entry_view", at=T0 - timedelta(days=1), entry_id="tent-x2"),
        _event("entry_view", at=T0 + timedelta(hours=3), entry_id="stove-1"),
        _event("time_on_page", at=T0 - timedelta(hours=1), seconds=2.5),
        _event("purchase", at=T0 + timedelta(hours=4), value=5.01, currency="CHF"),
        _event("signup", at=T0 + timedelta(hours=2)),
    ]
    in_two = apply_events(apply_events({}, first), second)
    in_one = apply_events({}, first + second)
    assert _order_independent(in_two) == _order_independent(in_one)
    assert in_one["counts"] == {"entry_view": 3, "time_on_page": 2, "purchase": 2, "signup": 1}
    assert in_one["firstSeen"] == (T0 - timedelta(days=1)).isoformat()
    assert in_one["lastSeen"] == (T0 + timedelta(hours=4)).isoformat()
    reversed_order = apply_events(apply_events({}, second), first)
    assert _order_independent(reversed_order) == _order_independent(in_one)


# --- merging two profiles ---------------------------------------------------------------------


def test_merge_adds_counts_and_purchases_and_spans_seen_times() -> None:
    user = apply_events(
        {},
        [
            _event("entry_view", at=T0, entry_id="a"),
            _event("purchase", at=T0, value=10, currency="EUR"),
        ],
    )
    anonymous = apply_events(
        {},
        [
            _event("entry_view", at=T0 - timedelta(days=1), entry_id="a"),
            _event("purchase", at=T0, value=2.5, currency="EUR"),
            _event("add_to_cart", at=T0 + timedelta(hours=1), sku="s"),
            _event("time_on_page", at=T0, seconds=7),
        ],
    )
    merged = merge_activity(user, anonymous)
    assert merged["counts"] == {
        "entry_view": 2,
        "purchase": 2,
        "add_to_cart": 1,
        "time_on_page": 1,
    }
    assert merged["entries"] == {"a": 2}
    assert merged["cart"] == {"s": 1}
    assert merged["purchases"] == {"count": 2, "value": {"EUR": 12.5}}
    assert merged["firstSeen"] == (T0 - timedelta(days=1)).isoformat()
    assert merged["lastSeen"] == (T0 + timedelta(hours=1)).isoformat()
    assert merged["timeOnPageSeconds"] == 7


def test_merge_leaves_both_inputs_untouched() -> None:
    user = apply_events({}, [_event("purchase", value=1, currency="EUR")])
    anonymous = apply_events({}, [_event("purchase", value=2, currency="EUR")])
    snapshots = deepcopy(user), deepcopy(anonymous)
    merge_activity(user, anonymous)
    assert (user, anonymous) == snapshots


def test_merging_with_an_empty_profile_keeps_the_other() -> None:
    anonymous = apply_events({}, [_event("entry_view", entry_id="a", at=T0)])
    merged = merge_activity({}, anonymous)
    assert _order_independent(merged) == _order_independent(anonymous)


def test_cart_and_time_sent_as_numeric_strings_are_aggregated_after_validation() -> None:
    raw: list[object] = [
        {
            "id": "c1",
            "type": "add_to_cart",
            "anonymousId": "a",
            "properties": {"sku": "s", "quantity": "2.0"},
        },
        {"id": "t1", "type": "time_on_page", "anonymousId": "a", "properties": {"seconds": "30"}},
        {
            "id": "p1",
            "type": "purchase",
            "anonymousId": "a",
            "properties": {"value": "9.5", "currency": "EUR"},
        },
    ]
    accepted, errors = validate_batch(raw[:2], T0)
    assert errors == []
    activity = apply_events({}, [event for _, event in accepted])
    assert activity["cart"] == {"s": 2}
    assert activity["timeOnPageSeconds"] == 30.0
    accepted, errors = validate_batch(raw[2:], T0)
    assert errors == []
    assert apply_events({}, [e for _, e in accepted])["purchases"] == {
        "count": 1,
        "value": {"EUR": 9.5},
    }
