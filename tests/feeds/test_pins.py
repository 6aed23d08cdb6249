"""Editorial pins as editors set them in any CMS: a position in a number (or text) field."""

from __future__ import annotations

from typing import Any

import pytest

from veneer.entries import Entry
from veneer.feeds.pins import PINNED, REASON, Pin, PinError, pin_position, read_pins


def _entry(entry_id: str, **fields: Any) -> Entry:
    return Entry(id=entry_id, content_type="article", slug=entry_id, fields=fields)


@pytest.mark.parametrize(
    ("fields", "position"),
    [
        ({"feedPin": 3}, 3),
        ({"feed_pin": 1}, 1),  # as Wagtail, Django and Directus spell field names
        ({"feedPin": "2"}, 2),  # a text field, or WordPress post meta
        ({"feedPin": 5.0}, 5),  # a CMS that sends every number as a float
        ({}, None),
        ({"feedPin": None}, None),
        ({"feedPin": ""}, None),
        ({"feedPin": 0}, None),
        ({"feedPin": "0"}, None),
        ({"feedPin": False}, None),
    ],
)
def test_a_position_pins_and_an_empty_field_does_not(
    fields: dict[str, Any], position: int | None
) -> None:
    assert pin_position(fields) == position


@pytest.mark.parametrize("value", [-1, 2.5, "top", True, [1], {"position": 1}])
def test_a_value_that_is_no_position_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(PinError, match=r"^feedPin: must be a position \(1 is the top"):
        pin_position({"feedPin": value})


def test_pins_are_read_in_placing_order_and_bad_ones_are_reported_not_placed() -> None:
    pins = read_pins(
        [
            _entry("c", feedPin=2),
            _entry("a", feedPin="top"),
            _entry("b", feedPin=2),
            _entry("d", feedPin=1),
            _entry("e", title="not pinned"),
        ]
    )
    assert pins.pins == (Pin("d", "article", 1), Pin("b", "article", 2), Pin("c", "article", 2))
    assert pins.problems == (
        "article 'a': feedPin: must be a position (1 is the top of the feed), got 'top'",
    )


def test_a_pinned_entry_says_the_editors_put_it_there() -> None:
    candidate = Pin("d", "article", 1).candidate()
    assert (candidate.entry_id, candidate.reason, candidate.strategy) == ("d", REASON, PINNED)
    assert REASON == "pinned by the editors"
