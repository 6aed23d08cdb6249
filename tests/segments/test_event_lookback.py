from __future__ import annotations

from datetime import timedelta
from typing import Any

from veneer.segments.rules import event_lookback, parse_rule

UNBOUNDED = timedelta(days=365)


def _lookback(*raw: dict[str, Any], unbounded: timedelta = UNBOUNDED) -> timedelta | None:
    return event_lookback([parse_rule(r) for r in raw], unbounded)


def test_no_rules_need_no_history() -> None:
    assert event_lookback([], UNBOUNDED) is None


def test_rules_without_event_conditions_need_no_history() -> None:
    assert (
        _lookback(
            {"trait": "age", "op": "gte", "value": 18},
            {"segment": "customers"},
            {"all": [{"trait": "x", "op": "exists"}, {"not": {"segment": "y"}}]},
        )
        is None
    )


def test_one_event_condition_needs_its_window() -> None:
    assert _lookback({"event": "entry_view", "within": "48h"}) == timedelta(hours=48)


def test_the_longest_window_wins_across_rules() -> None:
    assert _lookback(
        {"event": "entry_view", "within": "30m"},
        {"event": "purchase", "within": "7d"},
        {"event": "search", "within": "48h"},
    ) == timedelta(days=7)


def test_windows_compare_as_durations_not_as_numbers() -> None:
    assert _lookback({"event": "a", "within": "90m"}, {"event": "b", "within": "2h"}) == timedelta(
        hours=2
    )
    assert _lookback({"event": "a", "within": "47h"}, {"event": "b", "within": "2d"}) == timedelta(
        days=2
    )


def test_a_condition_without_within_uses_the_unbounded_value() -> None:
    assert _lookback({"event": "purchase"}) == UNBOUNDED
    assert _lookback({"event": "purchase"}, unbounded=timedelta(days=30)) == timedelta(days=30)


def test_an_unbounded_condition_outweighs_shorter_windows() -> None:
    assert _lookback({"event": "a", "within": "7d"}, {"event": "b"}) == UNBOUNDED


def test_a_window_longer_than_the_unbounded_value_still_counts() -> None:
    assert _lookback(
        {"event": "a", "within": "400d"}, {"event": "b"}, unbounded=timedelta(days=365)
    ) == timedelta(days=400)


def test_event_conditions_nested_in_all_any_and_not_are_found() -> None:
    rule = {
        "all": [
            {"trait": "age", "op": "between", "value": [30, 45]},
            {
                "any": [
                    {"segment": "customers"},
                    {"not": {"event": "purchase", "within": "30d"}},
                ]
            },
            {"event": "entry_view", "where": {"entryId": "tent-x2"}, "within": "48h"},
        ]
    }
    assert _lookback(rule) == timedelta(days=30)


def test_a_deeply_nested_unbounded_condition_is_found() -> None:
    rule = {"not": {"any": [{"all": [{"not": {"event": "signup"}}]}]}}
    assert _lookback(rule, {"event": "x", "within": "1d"}) == UNBOUNDED
