"""Placement definitions: checked as plain data, errors naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from veneer.placements.definition import (
    Placement,
    PlacementError,
    parse_placement,
    parse_placements_file,
)


def test_a_placement_round_trips_through_its_spec() -> None:
    placement = parse_placement(
        {"key": "pdp-upsell", "strategy": "variant", "contentTypes": ["product"], "first": 2}
    )
    assert placement == Placement(
        key="pdp-upsell", strategy="variant", content_types=("product",), first=2
    )
    assert parse_placement(placement.spec) == placement
    assert placement.template_name == "variant"


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ({"key": "Hero!", "strategy": "variant", "entries": ["a"]}, "key", "lowercase"),
        ({"key": "hero", "strategy": "random", "entries": ["a"]}, "strategy", "one of"),
        ({"key": "hero", "strategy": "variant"}, "entries", "lists entries or content types"),
        ({"key": "hero", "strategy": "pinned", "contentTypes": ["x"]}, "entries", "pins"),
        ({"key": "hero", "strategy": "variant", "entries": ["a", "a"]}, "entries[1]", "twice"),
        ({"key": "hero", "strategy": "variant", "entries": [" "]}, "entries[0]", "empty"),
        (
            {"key": "hero", "strategy": "variant", "entries": ["a"], "first": 0},
            "first",
            "between 1 and 20",
        ),
        (
            {"key": "hero", "strategy": "variant", "entries": ["a"], "template": "../x"},
            "template",
            "template name",
        ),
        ({"key": "hero", "strategy": "variant", "entries": ["a"], "colour": 1}, "colour", "extra"),
        ({"key": "hero", "strategy": "variant", "first": "2"}, "first", "integer"),
    ],
)
def test_a_bad_definition_names_the_field(raw: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(PlacementError) as caught:
        parse_placement(raw)
    assert caught.value.field == field
    assert words in caught.value.message.lower()


def test_a_file_names_the_item_and_refuses_a_key_twice() -> None:
    items = [
        {"key": "hero", "strategy": "variant", "entries": ["tent-x2"]},
        {"key": "recommended", "strategy": "recommendations", "first": 4},
    ]
    assert [p.key for p in parse_placements_file({"placements": items})] == [
        "hero",
        "recommended",
    ]
    with pytest.raises(PlacementError, match=r"placements\[1\]\.key: 'hero' appears twice"):
        parse_placements_file({"placements": [items[0], items[0]]})
    with pytest.raises(PlacementError, match=r"placements\[1\]\.strategy"):
        parse_placements_file({"placements": [items[0], {"key": "x", "strategy": "?"}]})
    with pytest.raises(PlacementError, match="one key, `placements`"):
        parse_placements_file({"triggers": []})
