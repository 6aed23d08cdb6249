"""Validating raw events: each bad one named by index, field and reason; the rest kept."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from veneer.events.model import Event
from veneer.events.validation import EventError, ValidationLimits, validate_batch, validate_event

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
LIMITS = ValidationLimits(max_future_skew=timedelta(minutes=5), late_after=timedelta(hours=24))


def _one(raw: object) -> Event | EventError:
    return validate_event(raw, 0, NOW, LIMITS)


def _error(raw: object) -> EventError:
    result = _one(raw)
    assert isinstance(result, EventError), result
    return result


@pytest.mark.parametrize(
    ("properties", "field"),
    [
        ({"value": 10}, "properties.currency"),
        ({"currency": "EUR"}, "properties.value"),
        ({"value": 10, "currency": "XYZ"}, "properties.currency"),
        ({"value": 10, "currency": "eur"}, "properties.currency"),
        ({"value": -1, "currency": "EUR"}, "properties.value"),
    ],
)
def test_a_purchase_needs_a_value_and_an_iso_4217_currency(
    properties: dict[str, object], field: str
) -> None:
    error = _error({"id": "p", "type": "purchase", "properties": properties})
    assert error.field == field
    assert not error.message.startswith("Value error")


def test_standard_properties_are_checked_and_custom_types_pass() -> None:
    assert _error({"id": "t", "type": "time_on_page", "properties": {"seconds": 90_000}}).field == (
        "properties.seconds"
    )
    assert _error({"id": "s", "type": "search", "properties": {"query": ""}}).field == (
        "properties.query"
    )
    assert _error({"id": "c", "type": "add_to_cart", "properties": {"quantity": 0}}).field == (
        "properties.quantity"
    )
    assert _error({"id": "v", "type": "entry_view"}).field == "entryId"
    custom = _one({"id": "x", "type": "wishlist_add", "properties": {"anything": [1, 2]}})
    assert isinstance(custom, Event) and custom.properties == {"anything": [1, 2]}


def test_timestamps_are_utc_and_bounded() -> None:
    shifted = _one({"id": "a", "type": "click", "timestamp": "2026-11-26T13:00:00+01:00"})
    assert isinstance(shifted, Event) and shifted.timestamp == NOW
    naive = _error({"id": "b", "type": "click", "timestamp": "2026-11-26T12:00:00"})
    assert (naive.field, naive.reason) == ("timestamp", "timestamp_without_timezone")
    ahead = _error({"id": "c", "type": "click", "timestamp": "2026-11-26T12:06:00Z"})
    assert ahead.reason == "timestamp_in_future"
    slightly_ahead = _one({"id": "d", "type": "click", "timestamp": "2026-11-26T12:04:00Z"})
    assert isinstance(slightly_ahead, Event)
    missing = _one({"id": "e", "type": "click"})
    assert isinstance(missing, Event) and missing.timestamp == NOW and not missing.late
    old = _one({"id": "f", "type": "click", "timestamp": "2026-11-20T12:00:00Z"})
    assert isinstance(old, Event) and old.late


def test_emails_become_hashes_everywhere() -> None:
    event = _one(
        {
            "id": "s",
            "type": "signup",
            "properties": {"email": " Ada@Example.ORG "},
            "context": {"email": "ada@example.org"},
        }
    )
    assert isinstance(event, Event)
    digest = hashlib.sha256(b"ada@example.org").hexdigest()
    assert event.properties == {"emailHash": digest}
    assert event.context == {"emailHash": digest}
    assert "Example" not in repr(event)
    assert _error({"id": "t", "type": "signup", "properties": {"email": "nope"}}).field == (
        "properties.email"
    )


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        ({"type": "click"}, "id", "missing_field"),
        ({"id": "a", "type": "click", "colour": "red"}, "colour", "unknown_field"),
        ({"id": "a", "type": "has spaces"}, "type", "invalid_value"),
        ({"id": "a", "type": "click", "anonymousId": "<x>"}, "anonymousId", "invalid_value"),
        ({"id": "a" * 129, "type": "click"}, "id", "invalid_value"),
        ("click", None, "not_an_object"),
    ],
)
def test_envelope_errors_name_the_field(raw: object, field: str | None, reason: str) -> None:
    error = _error(raw)
    assert (error.field, error.reason) == (field, reason)


def test_a_batch_keeps_the_good_beside_the_bad() -> None:
    accepted, errors = validate_batch(
        [{"id": "1", "type": "click"}, {"id": "2"}, {"id": "3", "type": "click"}], NOW, LIMITS
    )
    assert [index for index, _ in accepted] == [0, 2]
    assert [(e.index, e.field) for e in errors] == [(1, "type")]
