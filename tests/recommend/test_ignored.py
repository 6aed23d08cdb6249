"""Which entries count as shown over and over without a click."""

from __future__ import annotations

from veneer.recommend.ignored import IMPRESSION, passed_over

SHOWN = IMPRESSION


def test_an_entry_shown_the_limit_times_without_a_click_is_passed_over() -> None:
    events = [("tent", SHOWN), ("stove", SHOWN), ("tent", SHOWN), ("tent", SHOWN)]
    assert passed_over(events, 3) == {"tent"}
    assert passed_over(events, 4) == set()


def test_engaging_with_an_entry_starts_its_count_again() -> None:
    newest_first = [
        ("tent", SHOWN),
        ("tent", SHOWN),
        ("tent", "entry_view"),  # before these two: the older impressions no longer count
        ("tent", SHOWN),
        ("tent", SHOWN),
        ("tent", SHOWN),
    ]
    assert passed_over(newest_first, 3) == set()
    assert passed_over(newest_first, 2) == {"tent"}


def test_a_click_after_the_impressions_forgives_them() -> None:
    newest_first = [("tent", "click"), ("tent", SHOWN), ("tent", SHOWN), ("tent", SHOWN)]
    assert passed_over(newest_first, 3) == set()


def test_zero_turns_the_rule_off() -> None:
    assert passed_over([("tent", SHOWN)] * 10, 0) == set()
