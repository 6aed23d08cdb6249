from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from veneer.segments.evaluate import (
    ViewerEvent,
    ViewerFacts,
    evaluate_segments,
    event_count,
    matches,
    trait_matches,
)
from veneer.segments.rules import EventCondition, Rule, TraitCondition, parse_rule

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _trait(op: str, value: Any = None, *, name: str = "t") -> TraitCondition:
    raw: dict[str, Any] = {"trait": name, "op": op}
    if value is not None or op != "exists":
        raw["value"] = value
    rule = parse_rule(raw)
    assert isinstance(rule, TraitCondition)
    return rule


def _event_rule(**raw: Any) -> EventCondition:
    rule = parse_rule({"event": "entry_view", **raw})
    assert isinstance(rule, EventCondition)
    return rule


def _view(
    ago: timedelta, entry_id: str | None = None, type: str = "entry_view", **properties: Any
) -> ViewerEvent:
    return ViewerEvent(type, NOW - ago, entry_id, properties)


def _no_segments(key: str) -> bool:
    return False


def _segments(
    rules: dict[str, dict[str, Any]], facts: ViewerFacts, now: datetime = NOW
) -> set[str]:
    return set(evaluate_segments({k: parse_rule(v) for k, v in rules.items()}, facts, now))


# --- trait ops --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "actual", "expected"),
    [
        ("eq", "gold", "gold", True),
        ("eq", "gold", "silver", False),
        ("eq", 1, 1.0, True),
        ("eq", ["a", "b"], ["a", "b"], True),
        ("eq", ["a", "b"], ["b", "a"], False),
        ("eq", {"x": 1}, {"x": 1}, True),
        ("ne", "gold", "silver", True),
        ("ne", "gold", "gold", False),
        ("ne", ["a"], ["a"], False),
        ("in", ["nordics", "alps"], "alps", True),
        ("in", ["nordics", "alps"], "canada", False),
        ("in", [], "alps", False),
        ("gt", 10, 11, True),
        ("gt", 10, 10, False),
        ("gte", 10, 10, True),
        ("gte", 10, 9.99, False),
        ("lt", 10, 9, True),
        ("lt", 10, 10, False),
        ("lte", 10, 10, True),
        ("lte", 10, 10.5, False),
        ("gt", "b", "c", True),
        ("lt", "b", "a", True),
        ("between", [30, 45], 30, True),
        ("between", [30, 45], 45, True),
        ("between", [30, 45], 37.5, True),
        ("between", [30, 45], 29, False),
        ("between", [30, 45], 46, False),
        ("contains", "camping", ["hiking", "camping"], True),
        ("contains", "camping", ["hiking"], False),
        ("contains", "camp", ["camping"], False),
        ("contains", "run", "trail-running", True),
        ("contains", "swim", "trail-running", False),
        ("contains", 3, [1, 2, 3], True),
        ("exists", True, "anything", True),
        ("exists", True, 0, True),
        ("exists", True, False, True),
        ("exists", True, "", True),
        ("exists", False, "anything", False),
    ],
)
def test_trait_ops(op: str, value: Any, actual: Any, expected: bool) -> None:
    assert trait_matches(_trait(op, value), {"t": actual}) is expected


@pytest.mark.parametrize(
    ("op", "value"),
    [
        ("eq", "gold"),
        ("ne", "gold"),
        ("in", ["gold"]),
        ("gt", 0),
        ("gte", 0),
        ("lt", 100),
        ("lte", 100),
        ("between", [0, 100]),
        ("contains", "x"),
        ("exists", True),
    ],
)
def test_a_missing_trait_satisfies_no_op_but_exists_false(op: str, value: Any) -> None:
    assert trait_matches(_trait(op, value), {"other": "gold"}) is False
    assert trait_matches(_trait(op, value), {"t": None}) is False


def test_a_missing_or_null_trait_satisfies_exists_false() -> None:
    assert trait_matches(_trait("exists", False), {}) is True
    assert trait_matches(_trait("exists", False), {"t": None}) is True


@pytest.mark.parametrize(
    ("op", "value", "actual"),
    [
        ("gt", 5, "10"),
        ("gt", "5", 10),
        ("lte", 5, [1]),
        ("gte", 1, True),
        ("lt", 1, False),
        ("between", [0, 2], True),
        ("between", [0, 2], "1"),
        ("eq", 1, True),
        ("eq", 0, False),
        ("eq", "1", 1),
        ("in", [1, 2], True),
        ("in", [0], False),
        ("contains", 1, [True]),
        ("contains", "a", 1234),
        ("contains", 1, "1234"),
        ("contains", "x", {"x": 1}),
    ],
)
def test_type_mismatches_do_not_match_and_bool_is_not_a_number(
    op: str, value: Any, actual: Any
) -> None:
    assert trait_matches(_trait(op, value), {"t": actual}) is False


def test_ne_holds_for_a_different_type() -> None:
    assert trait_matches(_trait("ne", 1), {"t": True}) is True
    assert trait_matches(_trait("ne", "1"), {"t": 1}) is True


def test_bool_traits_compare_as_bools() -> None:
    assert trait_matches(_trait("eq", True), {"t": True}) is True
    assert trait_matches(_trait("eq", False), {"t": False}) is True
    assert trait_matches(_trait("in", [True]), {"t": True}) is True
    assert trait_matches(_trait("contains", False), {"t": [False]}) is True


# --- event conditions -------------------------------------------------------------------------


def test_window_counts_back_from_now_and_its_start_is_inclusive() -> None:
    rule = _event_rule(within="48h")
    events = [
        _view(timedelta(hours=48)),
        _view(timedelta(hours=48, seconds=1)),
        _view(timedelta(0)),
        _view(timedelta(minutes=5)),
    ]
    assert event_count(rule, events, NOW) == 3


def test_events_after_now_are_not_counted() -> None:
    rule = _event_rule()
    assert event_count(rule, [_view(timedelta(seconds=-1))], NOW) == 0


def test_without_a_window_every_past_event_counts() -> None:
    rule = _event_rule()
    events = [_view(timedelta(days=3650)), _view(timedelta(seconds=1))]
    assert event_count(rule, events, NOW) == 2


def test_only_events_of_the_named_type_count() -> None:
    rule = _event_rule()
    events = [_view(timedelta(1)), _view(timedelta(1), type="click"), _view(timedelta(1))]
    assert event_count(rule, events, NOW) == 2


@pytest.mark.parametrize(("within", "unit"), [("30m", "minutes"), ("48h", "hours"), ("7d", "days")])
def test_every_window_unit_is_honoured(within: str, unit: str) -> None:
    size = int(within[:-1])
    rule = _event_rule(within=within)
    inside = _view(timedelta(**{unit: size}) - timedelta(seconds=1))
    outside = _view(timedelta(**{unit: size}) + timedelta(seconds=1))
    assert event_count(rule, [inside, outside], NOW) == 1


def test_membership_expires_as_time_moves_on() -> None:
    rules = {
        "tent-curious": {
            "event": "entry_view",
            "where": {"entryId": "tent-x2"},
            "count": {"gte": 3},
            "within": "48h",
        }
    }
    facts = ViewerFacts(
        events=[
            _view(timedelta(hours=47), "tent-x2"),
            _view(timedelta(hours=10), "tent-x2"),
            _view(timedelta(hours=1), "tent-x2"),
        ]
    )
    assert _segments(rules, facts, NOW) == {"tent-curious"}
    assert _segments(rules, facts, NOW + timedelta(hours=1)) == {"tent-curious"}
    assert _segments(rules, facts, NOW + timedelta(hours=1, seconds=1)) == set()


def test_where_filters_on_entry_id() -> None:
    rule = _event_rule(where={"entryId": "tent-x2"})
    events = [
        _view(timedelta(1), "tent-x2"),
        _view(timedelta(1), "stove"),
        _view(timedelta(1), None),
    ]
    assert event_count(rule, events, NOW) == 1


def test_where_with_a_list_matches_any_of_its_values() -> None:
    rule = _event_rule(where={"entryId": ["tent-x2", "stove"]})
    events = [
        _view(timedelta(1), "tent-x2"),
        _view(timedelta(1), "stove"),
        _view(timedelta(1), "pack"),
    ]
    assert event_count(rule, events, NOW) == 2


def test_where_filters_on_properties() -> None:
    rule = _event_rule(
        where={"properties.currency": "EUR", "properties.coupon": True}, event="purchase"
    )
    events = [
        _view(timedelta(1), type="purchase", currency="EUR", coupon=True),
        _view(timedelta(1), type="purchase", currency="USD", coupon=True),
        _view(timedelta(1), type="purchase", currency="EUR"),
        _view(timedelta(1), type="purchase", currency="EUR", coupon=1),
    ]
    assert event_count(rule, events, NOW) == 1


def test_where_on_a_missing_property_or_unknown_field_never_matches() -> None:
    assert event_count(_event_rule(where={"properties.x": None}), [_view(timedelta(1))], NOW) == 0
    assert event_count(_event_rule(where={"nonsense": "a"}), [_view(timedelta(1))], NOW) == 0


def test_where_combines_entry_id_and_properties() -> None:
    rule = _event_rule(where={"entryId": "tent-x2", "properties.seconds": 30}, event="time_on_page")
    events = [
        _view(timedelta(1), "tent-x2", type="time_on_page", seconds=30),
        _view(timedelta(1), "stove", type="time_on_page", seconds=30),
        _view(timedelta(1), "tent-x2", type="time_on_page", seconds=31),
    ]
    assert event_count(rule, events, NOW) == 1


@pytest.mark.parametrize(
    ("count", "n_events", "expected"),
    [
        ({"gte": 3}, 3, True),
        ({"gte": 3}, 2, False),
        ({"gt": 3}, 3, False),
        ({"gt": 3}, 4, True),
        ({"lt": 2}, 1, True),
        ({"lt": 2}, 2, False),
        ({"lte": 2}, 2, True),
        ({"lte": 2}, 3, False),
        ({"eq": 2}, 2, True),
        ({"eq": 2}, 3, False),
        ({"eq": 0}, 0, True),
        ({"eq": 0}, 1, False),
        ({"gte": 2, "lte": 4}, 1, False),
        ({"gte": 2, "lte": 4}, 3, True),
        ({"gte": 2, "lte": 4}, 5, False),
    ],
)
def test_count_ops(count: dict[str, int], n_events: int, expected: bool) -> None:
    rule = parse_rule({"event": "click", "count": count, "within": "7d"})
    facts = ViewerFacts(events=[_view(timedelta(hours=i), type="click") for i in range(n_events)])
    assert matches(rule, facts, NOW, _no_segments) is expected


def test_default_count_is_at_least_one() -> None:
    rule = parse_rule({"event": "signup"})
    assert matches(rule, ViewerFacts(), NOW, _no_segments) is False
    assert matches(
        rule, ViewerFacts(events=[_view(timedelta(1), type="signup")]), NOW, _no_segments
    )


# --- combinators and references ---------------------------------------------------------------


def test_combinators() -> None:
    facts = ViewerFacts(traits={"a": 1})
    yes = {"trait": "a", "op": "eq", "value": 1}
    no = {"trait": "a", "op": "eq", "value": 2}

    def check(raw: dict[str, Any]) -> bool:
        return matches(parse_rule(raw), facts, NOW, _no_segments)

    assert check({"all": [yes, yes]}) is True
    assert check({"all": [yes, no]}) is False
    assert check({"any": [no, yes]}) is True
    assert check({"any": [no, no]}) is False
    assert check({"not": no}) is True
    assert check({"not": yes}) is False


def test_matches_asks_about_referenced_segments() -> None:
    rule: Rule = parse_rule({"segment": "customers"})
    assert matches(rule, ViewerFacts(), NOW, lambda key: key == "customers") is True
    assert matches(rule, ViewerFacts(), NOW, lambda key: key == "other") is False


def test_segment_references_resolve_through_chains() -> None:
    rules: dict[str, dict[str, Any]] = {
        "vip-campers": {"all": [{"segment": "campers"}, {"segment": "premium"}]},
        "campers": {"trait": "interests", "op": "contains", "value": "camping"},
        "premium": {"trait": "lifetimeValue", "op": "gte", "value": 500},
        "casual": {"not": {"segment": "premium"}},
    }
    rich_camper = ViewerFacts(traits={"interests": ["camping"], "lifetimeValue": 800})
    poor_camper = ViewerFacts(traits={"interests": ["camping"], "lifetimeValue": 20})
    assert _segments(rules, rich_camper) == {"vip-campers", "campers", "premium"}
    assert _segments(rules, poor_camper) == {"campers", "casual"}


def test_unknown_segment_reference_counts_as_non_member() -> None:
    rules: dict[str, dict[str, Any]] = {
        "a": {"segment": "deleted"},
        "b": {"not": {"segment": "deleted"}},
    }
    assert _segments(rules, ViewerFacts()) == {"b"}


@pytest.mark.parametrize("order", [["a", "b"], ["b", "a"]])
def test_segments_in_a_cycle_are_non_members_whatever_the_order(order: list[str]) -> None:
    raw = {"a": {"not": {"segment": "b"}}, "b": {"not": {"segment": "a"}}}
    rules = {key: raw[key] for key in order}
    assert _segments(rules, ViewerFacts()) == set()


def test_self_reference_is_a_non_member() -> None:
    rules = {"a": {"any": [{"trait": "x", "op": "exists"}, {"segment": "a"}]}}
    assert _segments(rules, ViewerFacts(traits={"x": 1})) == set()


@pytest.mark.parametrize("order", [["outside", "a", "b", "c"], ["a", "b", "c", "outside"]])
def test_reference_to_a_cycle_member_counts_as_non_member(order: list[str]) -> None:
    raw: dict[str, dict[str, Any]] = {
        "a": {"segment": "b"},
        "b": {"segment": "c"},
        "c": {"any": [{"segment": "a"}, {"trait": "x", "op": "exists"}]},
        "outside": {"not": {"segment": "c"}},
    }
    rules = {key: raw[key] for key in order}
    assert _segments(rules, ViewerFacts(traits={"x": 1})) == {"outside"}


API_MD_RULE: dict[str, Any] = {
    "all": [
        {"trait": "age", "op": "between", "value": [30, 45]},
        {
            "event": "entry_view",
            "where": {"entryId": "tent-x2"},
            "count": {"gte": 3},
            "within": "48h",
        },
        {"not": {"segment": "customers"}},
    ]
}


def _api_md_rules() -> dict[str, dict[str, Any]]:
    return {
        "tent-prospects": API_MD_RULE,
        "customers": {"event": "purchase"},
    }


def _prospect(age: Any = 38, views: int = 3, purchased: bool = False) -> ViewerFacts:
    events = [_view(timedelta(hours=i), "tent-x2") for i in range(views)]
    if purchased:
        events.append(_view(timedelta(days=30), type="purchase"))
    return ViewerFacts(traits={"age": age}, events=events)


def test_api_md_example_rule_matches_a_prospect() -> None:
    assert _segments(_api_md_rules(), _prospect()) == {"tent-prospects"}


@pytest.mark.parametrize(
    "facts",
    [
        _prospect(age=29),
        _prospect(age=46),
        _prospect(age="38"),
        _prospect(views=2),
        ViewerFacts(events=_prospect().events),
    ],
)
def test_api_md_example_rule_rejects_non_prospects(facts: ViewerFacts) -> None:
    assert "tent-prospects" not in _segments(_api_md_rules(), facts)


def test_api_md_example_rule_excludes_customers() -> None:
    assert _segments(_api_md_rules(), _prospect(purchased=True)) == {"customers"}


def test_api_md_example_rule_ignores_views_of_other_entries_and_old_views() -> None:
    facts = ViewerFacts(
        traits={"age": 40},
        events=[
            _view(timedelta(hours=1), "tent-x2"),
            _view(timedelta(hours=2), "tent-x2"),
            _view(timedelta(hours=3), "stove"),
            _view(timedelta(hours=49), "tent-x2"),
        ],
    )
    assert _segments(_api_md_rules(), facts) == set()
