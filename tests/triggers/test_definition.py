"""Parsing triggers: the API.md shape, and errors that name the bad node."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from veneer.triggers import TriggerError, parse_document, parse_trigger

CART = {
    "key": "cart-reminder",
    "when": {"event": "cart_abandoned", "count": {"gte": 2}, "within": "7d"},
    "page": {"timeOnPage": {"gte": 120}, "contentType": "product"},
    "offer": {"placement": "cart", "entry": "promo-10", "params": {"code": "COMEBACK10"}},
    "caps": {"perDay": 1, "perWeek": 2},
    "priority": 10,
}


def test_the_documented_trigger_parses_with_every_part() -> None:
    trigger = parse_trigger(
        {**CART, "cooldown": "3d", "start": "2026-12-01T00:00:00Z", "experiment": "promo-test"}
    )
    assert trigger.key == "cart-reminder" and trigger.priority == 10
    assert (trigger.per_day, trigger.per_week) == (1, 2)
    assert trigger.cooldown == timedelta(days=3)
    assert trigger.start == datetime(2026, 12, 1, tzinfo=UTC) and trigger.end is None
    assert trigger.offer.entry == "promo-10" and trigger.offer.params == {"code": "COMEBACK10"}
    assert trigger.page is not None and trigger.page.time_on_page == (("gte", 120),)
    assert trigger.experiment == "promo-test"
    assert trigger.spec["caps"] == {"perDay": 1, "perWeek": 2}


def test_inline_content_stands_in_for_an_entry() -> None:
    trigger = parse_trigger({"key": "hello", "offer": {"placement": "hero", "content": {"t": 1}}})
    assert trigger.offer.content == {"t": 1} and trigger.when is None


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"when": {"event": "x", "count": {"most": 3}}}, "$.when.count.most", "must be one of"),
        ({"when": {"all": []}}, "$.when.all", "non-empty list"),
        ({"caps": {"perDay": 0}}, "$.caps.perDay", "greater than or equal to 1"),
        ({"caps": {"perDay": 3, "perWeek": 2}}, "$.caps.perWeek", "at least perDay"),
        ({"cooldown": "3 days"}, "$.cooldown", "window must look like"),
        ({"priority": "high"}, "$.priority", "valid integer"),
        ({"key": "Cart Reminder"}, "$.key", "lowercase letters"),
        ({"colour": "red"}, "$.colour", "Extra inputs are not permitted"),
        ({"page": {"timeOnPage": {"over": 3}}}, "$.page.timeOnPage.over", "'eq'"),
        ({"offer": {"placement": "cart"}}, "$.offer", "exactly one of entry or content"),
        ({"offer": {"entry": "x"}}, "$.offer.placement", "Field required"),
        (
            {"start": "2026-12-02T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
            "$.end",
            "after start",
        ),
    ],
)
def test_bad_parts_name_their_path(change: dict[str, object], path: str, message: str) -> None:
    with pytest.raises(TriggerError) as caught:
        parse_trigger({**CART, **change})
    assert caught.value.path == path
    assert message in caught.value.message


def test_a_file_names_the_trigger_at_fault_and_refuses_repeated_keys() -> None:
    bad = {"triggers": [CART, {**CART, "key": "b", "when": {"event": ""}}]}
    with pytest.raises(TriggerError, match=r"^\$\.triggers\[1\]\.when\.event: "):
        parse_document(bad)
    with pytest.raises(TriggerError, match=r"\$\.triggers\[1\]\.key: 'cart-reminder' appears"):
        parse_document({"triggers": [CART, CART]})
    with pytest.raises(TriggerError, match="one key, triggers"):
        parse_document({"trigers": []})
    assert [t.key for t in parse_document({"triggers": [CART]})] == ["cart-reminder"]
