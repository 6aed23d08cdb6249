"""`{"propensity": event, "op": ..., "value": ...}`: parsed with paths, evaluated on stored
scores, and counted among what a change of scores can affect."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from veneer.segments.evaluate import ViewerFacts, evaluate_segments
from veneer.segments.impact import affected_by_events, affected_by_scores, affected_by_traits
from veneer.segments.rules import All, Not, PropensityCondition, RuleError, parse_rule

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _error(raw: object) -> RuleError:
    with pytest.raises(RuleError) as info:
        parse_rule(raw)
    return info.value


def test_a_propensity_condition_parses() -> None:
    assert parse_rule({"propensity": "purchase", "op": "gte", "value": 0.7}) == (
        PropensityCondition("purchase", "gte", 0.7)
    )
    assert parse_rule({"propensity": "signup", "op": "between", "value": [0, 1]}) == (
        PropensityCondition("signup", "between", (0.0, 1.0))
    )


def test_it_nests_like_any_other_condition() -> None:
    rule = parse_rule({"all": [{"not": {"propensity": "purchase", "op": "lt", "value": 0.2}}]})
    assert rule == All((Not(PropensityCondition("purchase", "lt", 0.2)),))


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ({"propensity": "", "op": "gte", "value": 0.5}, "$.all[0].propensity", "event type"),
        ({"propensity": 3, "op": "gte", "value": 0.5}, "$.all[0].propensity", "event type"),
        ({"propensity": "purchase", "op": "eq", "value": 0.5}, "$.all[0].op", "gt gte lt lte"),
        ({"propensity": "purchase", "value": 0.5}, "$.all[0].op", "between"),
        ({"propensity": "purchase", "op": "gte"}, "$.all[0].value", "needs a value"),
        ({"propensity": "purchase", "op": "gte", "value": 1.5}, "$.all[0].value", "0 to 1"),
        ({"propensity": "purchase", "op": "gte", "value": "0.5"}, "$.all[0].value", "0 to 1"),
        ({"propensity": "purchase", "op": "gte", "value": True}, "$.all[0].value", "0 to 1"),
        ({"propensity": "purchase", "op": "between", "value": 0.5}, "$.all[0].value", "[low"),
        ({"propensity": "purchase", "op": "between", "value": [0.8, 0.2]}, "$.all[0].value", ""),
        ({"propensity": "purchase", "op": "between", "value": [0, 2]}, "$.all[0].value", ""),
        ({"propensity": "purchase", "op": "gt", "value": 0, "within": "7d"}, "$.all[0]", "within"),
    ],
)
def test_bad_propensity_conditions_name_the_path(
    raw: dict[str, Any], path: str, words: str
) -> None:
    error = _error({"all": [raw]})
    assert error.path == path
    assert words in error.message


def test_a_node_with_two_kinds_names_propensity_too() -> None:
    error = _error({"propensity": "purchase", "trait": "age", "op": "gt", "value": 0.1})
    assert error.path == "$" and "propensity" in error.message


def _members(rule: dict[str, Any], scores: dict[str, float]) -> bool:
    return "s" in evaluate_segments({"s": parse_rule(rule)}, ViewerFacts(propensity=scores), NOW)


@pytest.mark.parametrize(
    ("op", "value", "score", "expected"),
    [
        ("gte", 0.7, 0.7, True),
        ("gte", 0.7, 0.69, False),
        ("gt", 0.7, 0.7, False),
        ("gt", 0.7, 0.71, True),
        ("lte", 0.2, 0.2, True),
        ("lt", 0.2, 0.2, False),
        ("lt", 0, 0.0, False),
        ("between", [0.3, 0.6], 0.3, True),
        ("between", [0.3, 0.6], 0.6, True),
        ("between", [0.3, 0.6], 0.61, False),
    ],
)
def test_scores_are_compared(op: str, value: Any, score: float, expected: bool) -> None:
    rule = {"propensity": "purchase", "op": op, "value": value}
    assert _members(rule, {"purchase": score}) is expected


def test_a_viewer_without_a_score_matches_no_comparison_and_not_inverts_that() -> None:
    low = {"propensity": "purchase", "op": "lte", "value": 1}
    assert not _members(low, {})
    assert not _members(low, {"signup": 0.5})  # another event's score says nothing
    assert _members({"not": low}, {})


def test_new_scores_re_decide_only_the_segments_that_compare_them() -> None:
    rules = {
        "likely-buyers": parse_rule({"propensity": "purchase", "op": "gte", "value": 0.7}),
        "likely-signups": parse_rule({"propensity": "signup", "op": "gte", "value": 0.7}),
        "vip-buyers": parse_rule(
            {"all": [{"segment": "likely-buyers"}, {"trait": "vip", "op": "eq", "value": True}]}
        ),
        "viewers": parse_rule({"event": "entry_view"}),
    }
    assert affected_by_scores(rules, {"purchase"}) == {"likely-buyers", "vip-buyers"}
    assert affected_by_scores(rules, {"refund"}) == set()
    assert affected_by_events(rules, {"purchase"}) == set()  # events reach scores via rescoring
    assert affected_by_traits(rules) == {"vip-buyers"}
