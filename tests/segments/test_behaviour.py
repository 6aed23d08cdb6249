"""Behavioural features: sessions, recency and tag views measured from events, and said as rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from veneer.segments.behaviour import Feature, measure
from veneer.segments.evaluate import ViewerEvent, ViewerFacts, matches
from veneer.segments.rules import parse_rule

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SEEN = ("entry_view", "purchase")
VISITS = Feature.visits("30d", SEEN)
CAMPING = Feature.tag_views("camping", ["tent-x2", "one-pot-meals"])


def _at(hours_ago: float, kind: str = "entry_view", entry: str | None = None, **props: object):  # type: ignore[no-untyped-def]
    return ViewerEvent(kind, NOW - timedelta(hours=hours_ago), entry, props)


def test_sessions_split_at_half_an_hour_and_are_measured() -> None:
    events = [
        _at(50.0),  # a session of three pages over 20 minutes
        _at(50.0 - 10 / 60),
        _at(50.0 - 20 / 60),
        _at(2.0, "time_on_page", seconds=900),  # one page read for 15 minutes
        _at(2.0 - 1 / 60),
        _at(24 * 40),  # outside the 30-day window
    ]
    sessions, minutes, pages, since = measure(events, VISITS, NOW)
    assert sessions == 2
    assert minutes == pytest.approx((20 + 15) / 2), "span, or reported reading time if longer"
    assert pages == pytest.approx(4 / 2), "page and entry views per session"
    assert since == pytest.approx((2.0 - 1 / 60) / 24), "days since the last counted event"


def test_a_profile_unseen_in_the_window_is_as_far_as_the_window() -> None:
    assert measure([_at(1, "search")], VISITS[3:], NOW) == [30.0], "search is not a seen event"
    assert measure([], VISITS, NOW) == [0.0, 0.0, 0.0, 30.0]


def test_tag_views_count_views_of_tagged_entries_only() -> None:
    events = [
        _at(1, entry="tent-x2"),
        _at(2, entry="one-pot-meals"),
        _at(3, entry="rope-care"),
        _at(4, "purchase", entry="tent-x2"),
    ]
    assert measure(events, [CAMPING], NOW) == [2.0]


def _holds(condition: list[dict[str, object]], events: list[ViewerEvent]) -> bool:
    rule = parse_rule({"all": condition})
    return matches(rule, ViewerFacts({}, events), NOW, lambda _key: False)


@pytest.mark.parametrize(("low", "high"), [(None, 3.0), (3.0, None), (1.5, 4.0), (5.0, 9.0)])
def test_rules_say_what_the_features_measure(low: float | None, high: float | None) -> None:
    """For each profile, the rule of ``low < feature <= high`` holds exactly when it is so."""
    since, views = VISITS[3], CAMPING
    profiles = [
        [_at(24 * d, "purchase")] + [_at(24 * d + i, entry="tent-x2") for i in range(n)]
        for d in (0.5, 2.0, 3.5, 6.0, 8.0)
        for n in (0, 1, 2, 4, 7)
    ]
    profiles += [events + [_at(24 * 31, entry="tent-x2")] * 5 for events in profiles[:5]]
    for events in profiles:
        for feature in (since, views):
            (value,) = measure(events, [feature], NOW)
            expected = (low is None or value > low) and (high is None or value <= high)
            assert _holds(feature.between(low, high), events) == expected, (feature.name, value)


def test_only_what_rules_can_say_is_offered_to_the_rule_tree() -> None:
    assert [f.in_rules for f in VISITS] == [False, False, False, True]
    assert CAMPING.in_rules and Feature.events("purchase").in_rules
    assert not Feature.tag_views("empty", []).in_rules, "a tag no entry carries"


def test_clusters_are_described_in_words_editors_use() -> None:
    assert Feature.events("purchase").words(True) == "frequent buyers"
    assert Feature.events("add_to_cart").words(False) == "few cart adds"
    assert Feature.events("quiz_done").words(True) == "many quiz_done events"
    assert [f.words(False) for f in VISITS] == [
        "occasional visitors",
        "short sessions",
        "shallow visits",
        "recently active",
    ]
    assert CAMPING.words(True) == "camping affinity" and CAMPING.words(False) is None


def test_features_survive_being_stored() -> None:
    for feature in [*VISITS, CAMPING, Feature.events("search", "7d"), Feature.numeric_trait("age")]:
        assert Feature.from_json(feature.to_json()) == feature
