from __future__ import annotations

import hashlib
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from veneer.events.model import STANDARD_TYPES, Event
from veneer.events.validation import (
    MAX_DEPTH,
    EventError,
    ValidationLimits,
    hash_email,
    validate_batch,
    validate_event,
)

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
LIMITS = ValidationLimits()


def _raw(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"id": "evt-1", "type": "page_view", "anonymousId": "anon-1"}
    raw.update(overrides)
    return raw


def _accept(raw: object, limits: ValidationLimits = LIMITS) -> Event:
    result = validate_event(raw, 0, NOW, limits)
    assert isinstance(result, Event), result
    return result


def _refuse(raw: object, index: int = 0, limits: ValidationLimits = LIMITS) -> EventError:
    result = validate_event(raw, index, NOW, limits)
    assert isinstance(result, EventError), result
    assert result.index == index
    return result


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- the envelope -----------------------------------------------------------------------------


def test_a_full_event_is_accepted_with_every_field_kept() -> None:
    event = _accept(
        {
            "id": "evt-42",
            "type": "entry_view",
            "timestamp": "2026-11-26T11:00:00Z",
            "anonymousId": "anon-1",
            "userId": "user-7",
            "entryId": "tent-x2",
            "properties": {"position": 3},
            "context": {"url": "https://shop.example/tents", "locale": "fr-CH"},
        }
    )
    assert event == Event(
        id="evt-42",
        type="entry_view",
        timestamp=datetime(2026, 11, 26, 11, tzinfo=UTC),
        received_at=NOW,
        anonymous_id="anon-1",
        user_id="user-7",
        entry_id="tent-x2",
        properties={"position": 3},
        context={"url": "https://shop.example/tents", "locale": "fr-CH"},
        late=False,
    )


def test_properties_and_context_default_to_empty() -> None:
    event = _accept({"id": "e", "type": "signup", "userId": "u1"})
    assert event.properties == {}
    assert event.context == {}
    assert event.anonymous_id is None
    assert event.entry_id is None


@pytest.mark.parametrize("item", [None, "evt-1", 42, ["id", "type"], [{"id": "e"}]])
def test_an_item_that_is_not_an_object_is_refused(item: object) -> None:
    error = _refuse(item, index=3)
    assert error.field is None
    assert error.reason == "not_an_object"
    assert "object" in error.message


@pytest.mark.parametrize("key", ["foo", "event", "user_email", "sentAt"])
def test_an_unknown_top_level_key_is_refused_naming_the_key(key: str) -> None:
    error = _refuse(_raw(**{key: "x"}))
    assert error.field == key
    assert error.reason == "unknown_field"


@pytest.mark.parametrize("missing", ["id", "type"])
def test_id_and_type_are_required(missing: str) -> None:
    raw = _raw()
    del raw[missing]
    error = _refuse(raw)
    assert error.field == missing
    assert error.reason == "missing_field"


@pytest.mark.parametrize("event_id", ["e", "a" * 128, "0b0c1e4a-7d7e-4c55-9b8d-3e2a1f0c9d8e"])
def test_ids_up_to_128_characters_are_accepted(event_id: str) -> None:
    assert _accept(_raw(id=event_id)).id == event_id


@pytest.mark.parametrize("event_id", ["", "a" * 129])
def test_an_empty_or_over_long_id_is_refused(event_id: str) -> None:
    error = _refuse(_raw(id=event_id))
    assert error.field == "id"
    assert error.reason == "invalid_value"


@pytest.mark.parametrize("event_type", ["page_view", "newsletter.opened", "quiz:done", "a-b", "X"])
def test_types_of_letters_digits_and_separators_are_accepted(event_type: str) -> None:
    assert _accept(_raw(type=event_type)).type == event_type


@pytest.mark.parametrize("event_type", ["", "page view", "page/view", "ünïcode", "a" * 65])
def test_a_type_outside_the_pattern_is_refused(event_type: str) -> None:
    error = _refuse(_raw(type=event_type))
    assert error.field == "type"
    assert error.reason == "invalid_value"


@pytest.mark.parametrize("value", ["anon-1", "a.b_c:d@e+f", "A" * 128])
@pytest.mark.parametrize("key", ["anonymousId", "userId"])
def test_viewer_ids_matching_the_pattern_are_accepted(key: str, value: str) -> None:
    event = _accept(_raw(**{key: value}))
    assert (event.anonymous_id if key == "anonymousId" else event.user_id) == value


@pytest.mark.parametrize("value", ["", "has space", "semi;colon", "slash/ed", "A" * 129])
@pytest.mark.parametrize("key", ["anonymousId", "userId"])
def test_viewer_ids_outside_the_pattern_are_refused_with_the_api_field_name(
    key: str, value: str
) -> None:
    error = _refuse(_raw(**{key: value}))
    assert error.field == key
    assert error.reason == "invalid_value"


def test_an_empty_entry_id_is_refused_as_entry_id() -> None:
    error = _refuse(_raw(entryId=""))
    assert error.field == "entryId"


@pytest.mark.parametrize("key", ["properties", "context"])
@pytest.mark.parametrize("value", [None, "text", [1, 2], 3])
def test_properties_and_context_must_be_objects(key: str, value: object) -> None:
    error = _refuse(_raw(**{key: value}))
    assert error.field == key
    assert error.reason == "invalid_value"


@pytest.mark.parametrize(
    ("key", "value", "field", "message"),
    [
        ("properties", {"n": 2**63}, "properties.n", "integer out of range (must fit in 64 bits)"),
        ("properties", {"a": [0, -(2**63) - 1]}, "properties.a[1]", "integer out of range"),
        ("context", {"x": float("inf")}, "context.x", "number must be finite"),
        ("context", {"url": "/\0"}, "context.url", "must not contain the NUL character"),
    ],
)
def test_values_no_database_could_keep_are_refused_with_their_path(
    key: str, value: object, field: str, message: str
) -> None:
    error = _refuse(_raw(**{key: value}))
    assert (error.field, error.reason) == (field, "invalid_value")
    assert message in error.message


def test_the_widest_64_bit_integers_are_kept() -> None:
    event = _accept(_raw(properties={"low": -(2**63), "high": 2**63 - 1}))
    assert event.properties == {"low": -(2**63), "high": 2**63 - 1}


def _nested(levels: int) -> dict[str, Any]:
    """``properties`` with ``levels`` arrays nested inside it."""
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return {"deep": value}


@pytest.mark.parametrize("key", ["properties", "context"])
def test_nesting_is_bounded_so_storing_never_overflows_the_stack(key: str) -> None:
    _accept(_raw(**{key: _nested(MAX_DEPTH)}))
    error = _refuse(_raw(**{key: _nested(MAX_DEPTH + 1)}))
    assert (error.field, error.reason) == (key, "invalid_value")
    assert error.message == f"must not nest objects and arrays more than {MAX_DEPTH} deep"


def test_a_nul_character_is_refused_at_its_path_in_keys_and_values() -> None:
    deep = {"a": [{"b": "ok"}, {"c": "n\x00l"}]}
    assert _refuse(_raw(properties=deep)).field == "properties.a[1].c"
    assert _refuse(_raw(context={"k\x00": 1})).field == 'context["k\\u0000"]'
    assert _refuse(_raw(id="a\x00")).field == "id"
    assert _refuse(_raw(entryId="\x00")).field == "entryId"


# --- standard types' properties ---------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0, 12.5, 86_400])
def test_time_on_page_accepts_seconds_within_a_day(seconds: float) -> None:
    event = _accept(_raw(type="time_on_page", properties={"seconds": seconds}))
    assert event.properties["seconds"] == seconds


@pytest.mark.parametrize("seconds", [-1, 86_401, "soon", None, float("nan"), float("inf")])
def test_time_on_page_refuses_seconds_out_of_bounds_or_not_a_number(seconds: object) -> None:
    error = _refuse(_raw(type="time_on_page", properties={"seconds": seconds}))
    assert error.field == "properties.seconds"
    assert error.reason == "invalid_value"


def test_time_on_page_needs_seconds() -> None:
    error = _refuse(_raw(type="time_on_page", properties={"url": "/x"}))
    assert error.field == "properties.seconds"
    assert error.reason == "missing_field"


def test_search_accepts_a_query_and_keeps_other_properties() -> None:
    event = _accept(_raw(type="search", properties={"query": "tent", "results": 12}))
    assert event.properties == {"query": "tent", "results": 12}


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ({}, "missing_field"),
        ({"query": ""}, "invalid_value"),
        ({"query": "q" * 501}, "invalid_value"),
        ({"query": 7}, "invalid_value"),
    ],
)
def test_search_needs_a_query_of_1_to_500_characters(
    properties: dict[str, Any], reason: str
) -> None:
    error = _refuse(_raw(type="search", properties=properties))
    assert error.field == "properties.query"
    assert error.reason == reason


def test_search_query_of_500_characters_is_accepted() -> None:
    assert _accept(_raw(type="search", properties={"query": "q" * 500}))


@pytest.mark.parametrize("event_type", ["add_to_cart", "remove_from_cart"])
def test_cart_changes_need_no_properties(event_type: str) -> None:
    event = _accept(_raw(type=event_type, entryId="tent-x2"))
    assert event.properties == {}


@pytest.mark.parametrize("event_type", ["add_to_cart", "remove_from_cart"])
def test_cart_changes_accept_quantity_value_and_currency(event_type: str) -> None:
    properties = {"sku": "TX2-GRN", "quantity": 3, "value": 59.9, "currency": "CHF"}
    event = _accept(_raw(type=event_type, properties=properties))
    assert event.properties == properties


@pytest.mark.parametrize("event_type", ["add_to_cart", "remove_from_cart"])
@pytest.mark.parametrize(
    ("properties", "field"),
    [
        ({"quantity": 0}, "properties.quantity"),
        ({"quantity": -2}, "properties.quantity"),
        ({"quantity": 10_001}, "properties.quantity"),
        ({"quantity": 1.5}, "properties.quantity"),
        ({"quantity": "two"}, "properties.quantity"),
        ({"value": -0.01}, "properties.value"),
        ({"value": "cheap"}, "properties.value"),
        ({"currency": "eur"}, "properties.currency"),
        ({"currency": "XYZ"}, "properties.currency"),
        ({"currency": "EURO"}, "properties.currency"),
    ],
)
def test_cart_changes_refuse_bad_quantity_value_or_currency(
    event_type: str, properties: dict[str, Any], field: str
) -> None:
    error = _refuse(_raw(type=event_type, properties=properties))
    assert error.field == field
    assert error.reason == "invalid_value"


@pytest.mark.parametrize("code", ["EURO", "eur", "XYZ", "E1R"])
def test_a_wrong_currency_is_named_with_what_a_right_one_looks_like(code: str) -> None:
    error = _refuse(_raw(type="purchase", properties={"value": 1.0, "currency": code}))
    assert error.field == "properties.currency"
    assert error.message == (
        f"{code!r} is not an ISO 4217 currency code (three capital letters, e.g. EUR, USD)"
    )


def test_cart_quantity_bounds_are_inclusive() -> None:
    for quantity in (1, 10_000):
        event = _accept(_raw(type="add_to_cart", properties={"quantity": quantity}))
        assert event.properties["quantity"] == quantity


def test_checked_properties_are_kept_as_the_numbers_they_were_checked_as() -> None:
    cart = _accept(_raw(type="add_to_cart", properties={"sku": "s", "quantity": "2.0"}))
    assert cart.properties == {"sku": "s", "quantity": 2}
    assert type(cart.properties["quantity"]) is int
    stay = _accept(_raw(type="time_on_page", properties={"seconds": "30"}))
    assert stay.properties == {"seconds": 30.0}


def test_checking_adds_no_defaults_to_the_properties() -> None:
    event = _accept(_raw(type="add_to_cart", properties={"sku": "s"}))
    assert event.properties == {"sku": "s"}


@pytest.mark.parametrize("currency", ["EUR", "USD", "CHF", "JPY"])
def test_purchase_with_a_value_and_an_iso_4217_currency_is_accepted(currency: str) -> None:
    event = _accept(_raw(type="purchase", properties={"value": 129.0, "currency": currency}))
    assert event.properties == {"value": 129.0, "currency": currency}


def test_purchase_value_may_be_zero() -> None:
    assert _accept(_raw(type="purchase", properties={"value": 0, "currency": "EUR"}))


@pytest.mark.parametrize("currency", ["XYZ", "eur", "Eur", "EU", "EURO", "", 978])
def test_purchase_refuses_a_currency_that_is_not_iso_4217(currency: object) -> None:
    error = _refuse(_raw(type="purchase", properties={"value": 10, "currency": currency}))
    assert error.field == "properties.currency"
    assert error.reason == "invalid_value"


def test_the_unknown_currency_message_names_the_code_without_a_value_error_prefix() -> None:
    error = _refuse(_raw(type="purchase", properties={"value": 10, "currency": "XYZ"}))
    assert "XYZ" in error.message
    assert "ISO 4217" in error.message
    assert not error.message.startswith("Value error")


@pytest.mark.parametrize(
    ("properties", "field", "reason"),
    [
        ({"currency": "EUR"}, "properties.value", "missing_field"),
        ({"value": 10}, "properties.currency", "missing_field"),
        ({"value": -5, "currency": "EUR"}, "properties.value", "invalid_value"),
        ({"value": "lots", "currency": "EUR"}, "properties.value", "invalid_value"),
        ({"value": "1e400", "currency": "EUR"}, "properties.value", "invalid_value"),
    ],
)
def test_purchase_needs_a_non_negative_finite_value_and_a_currency(
    properties: dict[str, Any], field: str, reason: str
) -> None:
    error = _refuse(_raw(type="purchase", properties=properties))
    assert error.field == field
    assert error.reason == reason


def test_entry_view_needs_an_entry_id() -> None:
    error = _refuse(_raw(type="entry_view"))
    assert error.field == "entryId"
    assert error.reason == "missing_field"
    assert "entryId" in error.message
    assert _accept(_raw(type="entry_view", entryId="tent-x2")).entry_id == "tent-x2"


@pytest.mark.parametrize(
    "event_type", [t for t in STANDARD_TYPES if t not in ("time_on_page", "search", "purchase")]
)
def test_standard_types_without_required_properties_accept_an_entry_event(event_type: str) -> None:
    event = _accept(_raw(type=event_type, entryId="tent-x2"))
    assert event.type == event_type


@pytest.mark.parametrize("event_type", ["newsletter_open", "Purchase", "quiz.completed"])
def test_custom_types_are_accepted_with_their_properties_as_they_are(event_type: str) -> None:
    properties = {"value": "not a number", "currency": "pebbles", "nested": {"a": [1, 2]}}
    event = _accept(_raw(type=event_type, properties=properties))
    assert event.type == event_type
    assert event.properties == properties


# --- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-26T11:30:00Z",
        "2026-11-26T11:30:00+00:00",
        "2026-11-26T13:30:00+02:00",
        "2026-11-26T06:00:00-05:30",
        "2026-11-26T11:30:00.000Z",
    ],
)
def test_rfc_3339_timestamps_are_normalized_to_utc(stamp: str) -> None:
    event = _accept(_raw(timestamp=stamp))
    assert event.timestamp == datetime(2026, 11, 26, 11, 30, tzinfo=UTC)
    assert event.timestamp.utcoffset() == timedelta(0)
    assert event.timestamp.tzinfo is UTC


def test_an_offset_timestamp_keeps_its_instant_and_wall_time_moves_to_utc() -> None:
    event = _accept(_raw(timestamp="2026-11-25T23:30:00-03:00"))
    assert event.timestamp == datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
    assert event.timestamp.isoformat() == "2026-11-26T02:30:00+00:00"


@pytest.mark.parametrize("stamp", ["2026-11-26T11:30:00", "2026-11-26T11:30:00.5", "2026-11-26"])
def test_a_timestamp_without_a_timezone_is_refused(stamp: str) -> None:
    error = _refuse(_raw(timestamp=stamp))
    assert error.field == "timestamp"
    assert error.reason == "timestamp_without_timezone"


@pytest.mark.parametrize("stamp", ["yesterday", "2026-13-01T00:00:00Z", "26/11/2026 12:00Z"])
def test_an_unparseable_timestamp_is_refused(stamp: str) -> None:
    error = _refuse(_raw(timestamp=stamp))
    assert error.field == "timestamp"
    assert error.reason == "invalid_value"


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_timestamp_outside_the_utc_range_is_refused_not_raised(stamp: str) -> None:
    error = _refuse(_raw(timestamp=stamp))
    assert error.field == "timestamp"
    assert error.reason == "invalid_value"


def test_a_missing_timestamp_means_now() -> None:
    event = _accept(_raw())
    assert event.timestamp == NOW
    assert event.received_at == NOW
    assert event.late is False


def test_a_timestamp_beyond_the_allowed_future_skew_is_refused() -> None:
    limits = ValidationLimits(max_future_skew=timedelta(minutes=5))
    stamp = (NOW + timedelta(minutes=5, seconds=1)).isoformat()
    error = _refuse(_raw(timestamp=stamp), limits=limits)
    assert error.field == "timestamp"
    assert error.reason == "timestamp_in_future"
    assert "300 seconds" in error.message


@pytest.mark.parametrize(
    "ahead", [timedelta(seconds=1), timedelta(minutes=4), timedelta(minutes=5)]
)
def test_a_timestamp_within_the_future_skew_is_accepted_as_sent(ahead: timedelta) -> None:
    limits = ValidationLimits(max_future_skew=timedelta(minutes=5))
    event = _accept(_raw(timestamp=(NOW + ahead).isoformat()), limits=limits)
    assert event.timestamp == NOW + ahead


def test_the_future_skew_is_configurable() -> None:
    stamp = (NOW + timedelta(minutes=30)).isoformat()
    assert _refuse(_raw(timestamp=stamp)).reason == "timestamp_in_future"
    wide = ValidationLimits(max_future_skew=timedelta(hours=1))
    assert _accept(_raw(timestamp=stamp), limits=wide).timestamp == NOW + timedelta(minutes=30)


def test_the_future_skew_is_judged_after_normalizing_the_offset() -> None:
    # 14:00 at +02:00 is 12:00 UTC, i.e. now, although its wall time is two hours ahead.
    assert _accept(_raw(timestamp="2026-11-26T14:00:00+02:00")).timestamp == NOW
    # 09:00 at -05:00 is 14:00 UTC: two hours ahead, although its wall time is in the past.
    assert _refuse(_raw(timestamp="2026-11-26T09:00:00-05:00")).reason == "timestamp_in_future"


def test_events_older_than_late_after_are_accepted_and_flagged_late() -> None:
    limits = ValidationLimits(late_after=timedelta(hours=24))
    old = _accept(_raw(timestamp=(NOW - timedelta(hours=24, seconds=1)).isoformat()), limits)
    assert old.late is True
    assert old.timestamp == NOW - timedelta(hours=24, seconds=1)
    edge = _accept(_raw(timestamp=(NOW - timedelta(hours=24)).isoformat()), limits)
    assert edge.late is False
    recent = _accept(_raw(timestamp=(NOW - timedelta(hours=1)).isoformat()), limits)
    assert recent.late is False


def test_late_after_is_configurable() -> None:
    stamp = (NOW - timedelta(hours=2)).isoformat()
    assert _accept(_raw(timestamp=stamp)).late is False
    assert _accept(_raw(timestamp=stamp), ValidationLimits(late_after=timedelta(hours=1))).late


def test_the_timestamp_check_uses_the_given_now_and_not_the_clock() -> None:
    earlier = datetime(2020, 1, 1, tzinfo=UTC)
    result = validate_event(_raw(timestamp="2026-11-26T12:00:00Z"), 0, earlier, LIMITS)
    assert isinstance(result, EventError)
    assert result.reason == "timestamp_in_future"


def test_now_with_another_offset_compares_by_instant() -> None:
    now_at_plus_one = NOW.astimezone(timezone(timedelta(hours=1)))
    result = validate_event(_raw(timestamp="2026-11-26T12:04:00Z"), 0, now_at_plus_one, LIMITS)
    assert isinstance(result, Event)
    assert result.timestamp == datetime(2026, 11, 26, 12, 4, tzinfo=UTC)


# --- emails -----------------------------------------------------------------------------------


def _all_text(event: Event) -> str:
    return repr([getattr(event, f.name) for f in fields(event)])


def test_hash_email_is_sha256_of_the_trimmed_lower_cased_address() -> None:
    assert hash_email("  Ada.Lovelace@Example.COM \n") == _sha256("ada.lovelace@example.com")
    assert hash_email("ada.lovelace@example.com") == hash_email("ADA.LOVELACE@EXAMPLE.COM")
    assert hash_email("ada@example.com") != hash_email("bob@example.com")


@pytest.mark.parametrize("where", ["properties", "context"])
def test_an_email_is_replaced_by_its_hash(where: str) -> None:
    raw_email = " Ada.Lovelace@Example.com "
    event = _accept(_raw(type="signup", **{where: {"email": raw_email, "plan": "pro"}}))
    values = getattr(event, where)
    assert values == {"plan": "pro", "emailHash": _sha256("ada.lovelace@example.com")}
    assert "email" not in values
    text = _all_text(event)
    assert "Ada.Lovelace@Example.com" not in text
    assert "ada.lovelace@example.com" not in text.lower()


def test_emails_in_properties_and_context_are_both_hashed() -> None:
    event = _accept(
        _raw(
            type="newsletter_signup",
            properties={"email": "a@example.com"},
            context={"email": "b@example.com", "url": "/join"},
        )
    )
    assert event.properties == {"emailHash": _sha256("a@example.com")}
    assert event.context == {"url": "/join", "emailHash": _sha256("b@example.com")}
    assert "@example.com" not in _all_text(event)


def test_emails_are_hashed_for_standard_types_with_property_rules() -> None:
    event = _accept(
        _raw(type="purchase", properties={"value": 5, "currency": "EUR", "email": "x@y.example"})
    )
    assert event.properties == {
        "value": 5,
        "currency": "EUR",
        "emailHash": _sha256("x@y.example"),
    }


def test_hashing_does_not_change_the_callers_dict() -> None:
    properties = {"email": "a@example.com"}
    _accept(_raw(properties=properties))
    assert properties == {"email": "a@example.com"}


@pytest.mark.parametrize("where", ["properties", "context"])
@pytest.mark.parametrize("value", ["not an email", "", "   ", 42, None, ["a@example.com"]])
def test_an_email_that_is_not_an_email_address_is_refused(where: str, value: object) -> None:
    error = _refuse(_raw(**{where: {"email": value}}))
    assert error.field == f"{where}.email"
    assert error.reason == "invalid_email"
    assert error.message == "not an email address"


def test_an_event_without_an_email_gets_no_hash() -> None:
    event = _accept(_raw(properties={"plan": "pro"}, context={"url": "/"}))
    assert "emailHash" not in event.properties
    assert "emailHash" not in event.context


# --- error messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        _raw(type="purchase", properties={"value": 1, "currency": "XYZ"}),
        _raw(type="purchase", properties={"value": 1, "currency": "eur"}),
        _raw(timestamp="2026-11-26T11:00:00"),
        _raw(userId="has space"),
        _raw(extra=1),
        _raw(type="time_on_page", properties={"seconds": -1}),
        _raw(type="search", properties={}),
    ],
)
def test_error_messages_are_non_empty_and_carry_no_value_error_prefix(
    raw: dict[str, Any],
) -> None:
    error = _refuse(raw)
    assert error.message
    assert "Value error, " not in error.message


# --- batches ----------------------------------------------------------------------------------


def test_a_batch_keeps_valid_events_beside_invalid_ones_with_their_indexes() -> None:
    batch: list[object] = [
        _raw(id="ok-0"),
        _raw(id="bad-1", type="purchase", properties={"value": 10, "currency": "XYZ"}),
        "not an object",
        _raw(id="ok-3", type="entry_view", entryId="tent-x2"),
        _raw(id="bad-4", timestamp="2026-11-26T10:00:00"),
        _raw(id="ok-5", type="custom_thing", properties={"anything": True}),
    ]
    accepted, errors = validate_batch(batch, NOW)
    assert [(index, event.id) for index, event in accepted] == [
        (0, "ok-0"),
        (3, "ok-3"),
        (5, "ok-5"),
    ]
    assert [(e.index, e.field, e.reason) for e in errors] == [
        (1, "properties.currency", "invalid_value"),
        (2, None, "not_an_object"),
        (4, "timestamp", "timestamp_without_timezone"),
    ]


def test_an_empty_batch_gives_nothing() -> None:
    assert validate_batch([], NOW) == ([], [])


def test_a_batch_reports_one_error_per_bad_event() -> None:
    bad = _raw(id="", type="page view", userId="x y", extra=1)
    accepted, errors = validate_batch([bad, bad], NOW)
    assert accepted == []
    assert [e.index for e in errors] == [0, 1]


def test_a_batch_uses_default_limits_when_none_are_given() -> None:
    five_minutes = (NOW + timedelta(minutes=5)).isoformat()
    six_minutes = (NOW + timedelta(minutes=6)).isoformat()
    accepted, errors = validate_batch(
        [_raw(timestamp=five_minutes), _raw(timestamp=six_minutes)], NOW
    )
    assert [index for index, _ in accepted] == [0]
    assert [(e.index, e.reason) for e in errors] == [(1, "timestamp_in_future")]


def test_a_batch_applies_the_given_limits() -> None:
    stamp = (NOW + timedelta(minutes=6)).isoformat()
    limits = ValidationLimits(max_future_skew=timedelta(minutes=10))
    accepted, errors = validate_batch([_raw(timestamp=stamp)], NOW, limits)
    assert errors == []
    assert accepted[0][1].timestamp == NOW + timedelta(minutes=6)


def test_every_accepted_event_in_a_batch_is_received_now() -> None:
    accepted, _ = validate_batch(
        [_raw(id="a", timestamp="2026-11-20T00:00:00Z"), _raw(id="b")], NOW
    )
    assert [event.received_at for _, event in accepted] == [NOW, NOW]
    assert [event.late for _, event in accepted] == [True, False]
