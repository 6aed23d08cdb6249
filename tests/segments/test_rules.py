from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from veneer.segments.rules import (
    All,
    AnyOf,
    EventCondition,
    Not,
    RuleError,
    SegmentRef,
    TraitCondition,
    find_cycle,
    parse_rule,
    parse_window,
    reference_cycles,
    referenced_segments,
)


def _error(raw: object) -> RuleError:
    with pytest.raises(RuleError) as info:
        parse_rule(raw)
    return info.value


# --- node kinds -------------------------------------------------------------------------------


def test_parses_the_api_md_example_into_a_tree() -> None:
    rule = parse_rule(
        {
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
    )
    assert rule == All(
        (
            TraitCondition("age", "between", (30, 45)),
            EventCondition(
                "entry_view", (("entryId", "tent-x2"),), (("gte", 3),), timedelta(hours=48)
            ),
            Not(SegmentRef("customers")),
        )
    )


def test_any_parses_each_child() -> None:
    rule = parse_rule({"any": [{"segment": "a"}, {"trait": "x", "op": "exists"}]})
    assert rule == AnyOf((SegmentRef("a"), TraitCondition("x", "exists", True)))


def test_nested_combinators() -> None:
    rule = parse_rule({"not": {"any": [{"all": [{"segment": "a"}]}, {"segment": "b"}]}})
    assert rule == Not(AnyOf((All((SegmentRef("a"),)), SegmentRef("b"))))


def test_segment_reference() -> None:
    assert parse_rule({"segment": "customers"}) == SegmentRef("customers")


def test_event_defaults_to_at_least_one_ever() -> None:
    rule = parse_rule({"event": "purchase"})
    assert rule == EventCondition("purchase", (), (("gte", 1),), None)


def test_event_with_several_count_bounds_and_property_filter() -> None:
    rule = parse_rule(
        {
            "event": "purchase",
            "where": {"properties.currency": "EUR", "entryId": ["a", "b"]},
            "count": {"gte": 2, "lt": 5},
            "within": "7d",
        }
    )
    assert isinstance(rule, EventCondition)
    assert dict(rule.where) == {"properties.currency": "EUR", "entryId": ("a", "b")}
    assert dict(rule.count) == {"gte": 2, "lt": 5}
    assert rule.within == timedelta(days=7)


# --- trait ops --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "parsed"),
    [
        ("eq", "gold", "gold"),
        ("eq", ["a", "b"], ("a", "b")),
        ("ne", 3, 3),
        ("ne", None, None),
        ("in", ["nordics", "alps"], ("nordics", "alps")),
        ("in", [], ()),
        ("gt", 10, 10),
        ("gte", 2.5, 2.5),
        ("lt", "m", "m"),
        ("lte", 0, 0),
        ("between", [30, 45], (30, 45)),
        ("between", [1.5, 1.5], (1.5, 1.5)),
        ("contains", "camping", "camping"),
        ("contains", 3, 3),
    ],
)
def test_every_trait_op_parses(op: str, value: Any, parsed: Any) -> None:
    assert parse_rule({"trait": "t", "op": op, "value": value}) == TraitCondition("t", op, parsed)  # type: ignore[arg-type]


def test_exists_defaults_to_true_and_takes_false() -> None:
    assert parse_rule({"trait": "t", "op": "exists"}) == TraitCondition("t", "exists", True)
    assert parse_rule({"trait": "t", "op": "exists", "value": False}) == TraitCondition(
        "t", "exists", False
    )


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ({"trait": "t", "op": "like", "value": 1}, "$.op", "must be one of"),
        ({"trait": "t", "value": 1}, "$.op", "must be one of"),
        ({"trait": "", "op": "eq", "value": 1}, "$.trait", "trait name"),
        ({"trait": 5, "op": "eq", "value": 1}, "$.trait", "trait name"),
        ({"trait": "t", "op": "eq"}, "$.value", "needs a value"),
        ({"trait": "t", "op": "exists", "value": "yes"}, "$.value", "true or false"),
        ({"trait": "t", "op": "in", "value": "alps"}, "$.value", "list"),
        ({"trait": "t", "op": "between", "value": [45, 30]}, "$.value", "low <= high"),
        ({"trait": "t", "op": "between", "value": [1]}, "$.value", "[low, high]"),
        ({"trait": "t", "op": "between", "value": [1, 2, 3]}, "$.value", "[low, high]"),
        ({"trait": "t", "op": "between", "value": ["a", "b"]}, "$.value", "numbers"),
        ({"trait": "t", "op": "between", "value": [False, True]}, "$.value", "numbers"),
        ({"trait": "t", "op": "between", "value": 3}, "$.value", "[low, high]"),
        ({"trait": "t", "op": "gt", "value": [1]}, "$.value", "number or a string"),
        ({"trait": "t", "op": "lte", "value": True}, "$.value", "number or a string"),
        ({"trait": "t", "op": "gte", "value": None}, "$.value", "number or a string"),
    ],
)
def test_bad_trait_conditions_name_the_field(raw: dict[str, Any], path: str, words: str) -> None:
    error = _error(raw)
    assert error.path == path
    assert words in error.message
    assert str(error).startswith(f"{path}: ")


# --- structural errors ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [[], "all", None, 3])
def test_a_rule_must_be_an_object(raw: object) -> None:
    error = _error(raw)
    assert error.path == "$"
    assert "JSON object" in error.message


def test_a_rule_needs_one_node_kind() -> None:
    error = _error({"op": "eq"})
    assert error.path == "$"
    assert "exactly one of" in error.message


def test_two_node_kinds_are_named() -> None:
    error = _error({"trait": "x", "segment": "y", "op": "exists"})
    assert error.path == "$"
    assert "found trait, segment" in error.message


@pytest.mark.parametrize(
    ("raw", "extra"),
    [
        ({"segment": "a", "op": "eq"}, "op"),
        ({"all": [{"segment": "a"}], "within": "7d"}, "within"),
        ({"trait": "t", "op": "exists", "within": "7d"}, "within"),
        ({"event": "click", "op": "gte", "value": 1}, "op, value"),
        ({"not": {"segment": "a"}, "note": "x"}, "note"),
    ],
)
def test_unexpected_keys_are_rejected(raw: dict[str, Any], extra: str) -> None:
    error = _error(raw)
    assert error.path == "$"
    assert f"unexpected key(s) for a {next(iter(raw))} rule: {extra}" == error.message


@pytest.mark.parametrize("children", [[], {"segment": "a"}, "a"])
def test_any_needs_a_non_empty_list(children: object) -> None:
    error = _error({"any": children})
    assert error.path == "$.any"
    assert "non-empty list" in error.message


def test_error_in_a_nested_count_names_its_path() -> None:
    error = _error({"all": [{"segment": "a"}, {"event": "entry_view", "count": {"gte": -1}}]})
    assert error.path == "$.all[1].count.gte"
    assert "whole number" in error.message


def test_error_under_not_names_its_path() -> None:
    assert _error({"not": {"trait": "age", "op": "older"}}).path == "$.not.op"


def test_error_deep_in_any_and_all_names_its_path() -> None:
    raw = {"any": [{"segment": "a"}, {"all": [{"segment": "b"}, {"segment": ""}]}]}
    assert _error(raw).path == "$.any[1].all[1].segment"


def test_not_of_a_non_object() -> None:
    assert _error({"not": ["a"]}).path == "$.not"


@pytest.mark.parametrize("key", ["", 3, None, ["a"]])
def test_segment_reference_must_be_a_key(key: object) -> None:
    assert _error({"segment": key}).path == "$.segment"


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"event": ""}, "$.event"),
        ({"event": 1}, "$.event"),
        ({"event": "click", "where": ["entryId"]}, "$.where"),
        ({"event": "click", "count": {}}, "$.count"),
        ({"event": "click", "count": 3}, "$.count"),
        ({"event": "click", "count": {"ne": 3}}, "$.count.ne"),
        ({"event": "click", "count": {"gte": 1.5}}, "$.count.gte"),
        ({"event": "click", "count": {"gte": True}}, "$.count.gte"),
        ({"event": "click", "count": {"lt": "3"}}, "$.count.lt"),
        ({"event": "click", "within": "2w"}, "$.within"),
    ],
)
def test_bad_event_conditions_name_the_field(raw: dict[str, Any], path: str) -> None:
    assert _error(raw).path == path


def test_count_of_zero_is_allowed() -> None:
    rule = parse_rule({"event": "cart_abandoned", "count": {"eq": 0}})
    assert isinstance(rule, EventCondition)
    assert rule.count == (("eq", 0),)


# --- windows ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("48h", timedelta(hours=48)),
        ("7d", timedelta(days=7)),
        ("1m", timedelta(minutes=1)),
        ("365d", timedelta(days=365)),
    ],
)
def test_valid_windows(text: str, expected: timedelta) -> None:
    assert parse_window(text) == expected


@pytest.mark.parametrize(
    "text", ["48", "0h", "0d", "2w", "h", "", "-1h", "1.5h", "48H", " 48h", "48h\n", "48 h", 48]
)
def test_invalid_windows(text: object) -> None:
    with pytest.raises(RuleError) as info:
        parse_window(text)
    assert info.value.path == "$.within"
    assert "30m, 48h or 7d" in info.value.message


def test_invalid_window_inside_a_rule_names_its_path() -> None:
    error = _error({"all": [{"event": "click", "within": "48"}]})
    assert error.path == "$.all[0].within"


# --- references and cycles --------------------------------------------------------------------


def test_referenced_segments_finds_every_reference_under_combinators() -> None:
    rule = parse_rule(
        {
            "all": [
                {"segment": "a"},
                {"any": [{"not": {"segment": "b"}}, {"trait": "x", "op": "exists"}]},
                {"event": "click"},
                {"segment": "a"},
            ]
        }
    )
    assert referenced_segments(rule) == {"a", "b"}


def test_referenced_segments_of_a_leaf_is_empty() -> None:
    assert referenced_segments(parse_rule({"trait": "x", "op": "exists"})) == set()
    assert referenced_segments(parse_rule({"event": "click"})) == set()


def test_no_cycle() -> None:
    rules = {
        "a": parse_rule({"all": [{"segment": "b"}, {"segment": "c"}]}),
        "b": parse_rule({"segment": "c"}),
        "c": parse_rule({"trait": "x", "op": "exists"}),
        "d": parse_rule({"segment": "unknown"}),
    }
    assert find_cycle(rules) is None


def test_self_reference_is_a_cycle() -> None:
    rules = {"a": parse_rule({"any": [{"trait": "x", "op": "exists"}, {"segment": "a"}]})}
    assert find_cycle(rules) == ["a", "a"]


def test_three_cycle_is_reported_as_a_chain_back_to_its_start() -> None:
    rules = {
        "a": parse_rule({"segment": "b"}),
        "b": parse_rule({"not": {"segment": "c"}}),
        "c": parse_rule({"all": [{"segment": "a"}, {"trait": "x", "op": "exists"}]}),
    }
    assert find_cycle(rules) == ["a", "b", "c", "a"]


def test_cycle_reached_from_outside_reports_only_the_loop() -> None:
    rules = {
        "entry": parse_rule({"segment": "x"}),
        "x": parse_rule({"segment": "y"}),
        "y": parse_rule({"segment": "x"}),
    }
    assert find_cycle(rules) == ["x", "y", "x"]


def test_diamond_is_not_a_cycle() -> None:
    rules = {
        "top": parse_rule({"all": [{"segment": "left"}, {"segment": "right"}]}),
        "left": parse_rule({"segment": "bottom"}),
        "right": parse_rule({"segment": "bottom"}),
        "bottom": parse_rule({"trait": "x", "op": "exists"}),
    }
    assert find_cycle(rules) is None


def _refs(graph: dict[str, list[str]]) -> dict[str, Any]:
    return {
        key: parse_rule({"any": [{"segment": r} for r in refs] or [{"event": "click"}]})
        for key, refs in graph.items()
    }


def test_every_segment_on_a_loop_is_found_and_none_that_only_refers_to_one() -> None:
    rules = _refs(
        {
            "a": ["b"],
            "b": ["a", "c"],  # a second loop through b: b -> c -> b
            "c": ["b"],
            "between": ["a"],  # refers to one loop, is referred to by another: on neither
            "p": ["q", "between"],
            "q": ["p"],
            "self": ["self"],
            "plain": [],
        }
    )
    found = reference_cycles(rules)
    assert found.keys == {"a", "b", "c", "p", "q", "self"}
    assert found.first == ("a", "b", "a")


def test_no_loops_in_a_tree_of_references() -> None:
    found = reference_cycles(_refs({"a": ["b", "c"], "b": ["c"], "c": [], "d": ["gone"]}))
    assert found.keys == frozenset() and found.first is None
