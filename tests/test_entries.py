from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from veneer.entries import Variant, VariantsError, parse_variants

START = datetime(2026, 11, 1, tzinfo=UTC)


def _item(**overrides: Any) -> dict[str, Any]:
    return {"id": "v", "audience": ["campers"], **overrides}


def _error(raw: object) -> str:
    with pytest.raises(VariantsError) as info:
        parse_variants(raw)
    return str(info.value)


def test_no_variants_is_an_empty_tuple() -> None:
    assert parse_variants(None) == ()
    assert parse_variants([]) == ()


def test_parses_the_full_shape_and_keeps_editor_order() -> None:
    variants = parse_variants(
        [
            {
                "id": "v-winter",
                "audience": ["cold-climate", "climbers"],
                "priority": 20,
                "fields": {"title": "Shoulder-Season Ready", "badge": "Winter"},
                "start": "2026-11-01T00:00:00Z",
                "end": "2027-03-31T23:59:59+01:00",
            },
            {"id": "v-test", "audience": ["campers"], "experiment": "tent-copy"},
        ]
    )
    assert [v.id for v in variants] == ["v-winter", "v-test"]
    winter, test = variants
    assert winter.audience == ("cold-climate", "climbers")
    assert winter.priority == 20
    assert winter.fields == {"title": "Shoulder-Season Ready", "badge": "Winter"}
    assert winter.start == START
    assert winter.end == datetime(2027, 3, 31, 22, 59, 59, tzinfo=UTC)
    assert test.priority == 0
    assert test.fields == {}
    assert test.experiment == "tent-copy"
    assert test.start is None and test.end is None


def test_accepts_datetimes_as_yaml_loads_them() -> None:
    (variant,) = parse_variants([_item(start=START, end=START + timedelta(days=1))])
    assert variant.start == START


def test_variants_must_be_a_list() -> None:
    assert _error({"id": "v"}) == "variants: must be a list"
    assert _error("v-trail") == "variants: must be a list"


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ([_item(), _item(id="w", priority="high")], "variants[1].priority"),
        ([_item(priority=1.5)], "variants[0].priority"),
        ([_item(id="")], "variants[0].id"),
        ([{"audience": ["campers"]}], "variants[0].id"),
        ([{"id": "v"}], "variants[0].audience"),
        ([_item(audience=[])], "variants[0].audience"),
        ([_item(id="control", experiment="x")], "variants[0].id"),
        ([_item(audience="campers")], "variants[0].audience"),
        ([_item(fields=["title"])], "variants[0].fields"),
        ([_item(start="next tuesday")], "variants[0].start"),
        ([_item(), _item(id="w"), _item(id="x", colour="red")], "variants[2].colour"),
    ],
)
def test_errors_name_the_item_index_and_field(raw: list[Any], path: str) -> None:
    assert _error(raw).startswith(f"{path}: ")


def test_an_item_that_is_not_an_object_is_named_by_index() -> None:
    message = _error([_item(), "v-trail"])
    assert message.startswith("variants[1]: ")


def test_duplicate_ids_are_rejected_naming_the_second() -> None:
    message = _error([_item(id="v-a"), _item(id="v-b"), _item(id="v-a")])
    assert message == "variants[2].id: duplicate variant id 'v-a'"


@pytest.mark.parametrize("end", [START - timedelta(seconds=1), START])
def test_end_must_be_after_start(end: datetime) -> None:
    message = _error([_item(start=START.isoformat(), end=end.isoformat())])
    assert message.startswith("variants[0]: ")
    assert "end must be after start" in message


@pytest.mark.parametrize("value", ["2026-11-01T00:00:00", datetime(2026, 11, 1), date(2026, 11, 1)])
def test_a_schedule_without_a_zone_is_utc(value: object) -> None:
    (variant,) = parse_variants([_item(start=value)])
    assert variant.start == datetime(2026, 11, 1, tzinfo=UTC)


def test_a_schedule_that_is_no_time_names_the_field() -> None:
    assert _error([_item(end="next tuesday")]).startswith("variants[0].end: ")


def test_is_live_window_is_start_inclusive_end_exclusive() -> None:
    variant = Variant(id="v", audience=("a",), start=START, end=START + timedelta(hours=1))
    assert not variant.is_live(START - timedelta(microseconds=1))
    assert variant.is_live(START)
    assert variant.is_live(START + timedelta(minutes=59))
    assert not variant.is_live(START + timedelta(hours=1))


def test_unscheduled_variant_is_always_live() -> None:
    assert Variant(id="v", audience=("a",)).is_live(datetime(1970, 1, 1, tzinfo=UTC))


def test_priority_must_be_a_whole_number_not_a_boolean() -> None:
    raw = [{"id": "v-1", "audience": ["a"], "priority": True, "fields": {}}]
    with pytest.raises(VariantsError, match=r"variants\[0\]\.priority"):
        parse_variants(raw)
