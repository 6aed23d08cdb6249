"""Validate a batch of raw events: each bad event is reported, the good ones go on.

Pure: takes the raw JSON values and the time, returns accepted events and errors. An error
names the event's index in the batch, the field (``properties.currency``) and the reason,
because a client fixing its tracking code needs all three.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import (
    Annotated,
    Any,
    NotRequired,  # pydantic reads only these before 3.12
)

from pydantic import AwareDatetime, ConfigDict, Field, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

from veneer.events.model import NEEDS_ENTRY, PROPERTY_RULES, Event
from veneer.json_values import find_unstorable

ID_PATTERN = r"^[A-Za-z0-9._:@+\-]{1,128}$"
EMAIL_KEYS = ("email",)
MAX_DEPTH = 32  # levels of objects and arrays inside properties or context


@dataclass(frozen=True)
class EventError:
    index: int
    field: str | None
    message: str
    reason: str  # a short, stable code for data-quality counters


@with_config(ConfigDict(extra="forbid"))
class EventPayload(TypedDict):
    """The envelope every event shares (API.md's EventInput).

    A typed dict, not a model: validated, it is the JSON object itself, which costs pydantic
    a third less per event than building a model instance, on every event of every batch."""

    id: Annotated[str, Field(min_length=1, max_length=128)]
    type: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]
    timestamp: NotRequired[AwareDatetime | None]
    anonymousId: NotRequired[Annotated[str | None, Field(pattern=ID_PATTERN)]]
    userId: NotRequired[Annotated[str | None, Field(pattern=ID_PATTERN)]]
    entryId: NotRequired[Annotated[str | None, Field(min_length=1, max_length=200)]]
    properties: NotRequired[dict[str, Any]]
    context: NotRequired[dict[str, Any]]


ENVELOPE = TypeAdapter(EventPayload)
_ENVELOPES = TypeAdapter(list[EventPayload])


@dataclass(frozen=True)
class ValidationLimits:
    max_future_skew: timedelta = timedelta(minutes=5)
    late_after: timedelta = timedelta(hours=24)


def hash_email(email: str) -> str:
    """Emails are matched, never kept: lower-cased, trimmed, SHA-256."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def _reason(error_type: str) -> str:
    return {
        "missing": "missing_field",
        "extra_forbidden": "unknown_field",
        "timezone_aware": "timestamp_without_timezone",
    }.get(error_type, "invalid_value")


def _field_name(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)


def _hash_emails(values: dict[str, Any], where: str, index: int) -> dict[str, Any] | EventError:
    """``values`` with each email replaced by its hash; ``values`` itself when it has none."""
    if not any(key in values for key in EMAIL_KEYS):
        return values
    result = dict(values)
    for key in EMAIL_KEYS:
        if key not in result:
            continue
        email = result.pop(key)
        if not isinstance(email, str) or "@" not in email.strip():
            return EventError(index, f"{where}.{key}", "not an email address", "invalid_email")
        result[f"{key}Hash"] = hash_email(email)
    return result


def validate_event(
    raw: object, index: int, now: datetime, limits: ValidationLimits
) -> Event | EventError:
    if not isinstance(raw, Mapping):
        return EventError(index, None, "an event must be a JSON object", "not_an_object")
    try:
        payload = ENVELOPE.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        return EventError(
            index, _field_name(first["loc"]) or None, _message(first), _reason(first["type"])
        )
    return _checked(payload, index, now, limits)


def _checked(
    payload: EventPayload, index: int, now: datetime, limits: ValidationLimits
) -> Event | EventError:
    """What the envelope's schema cannot say: storable values, property rules, time."""
    entry_id = payload.get("entryId")
    properties = payload.get("properties", {})
    context = payload.get("context", {})
    for name, value in (
        ("id", payload["id"]),
        ("entryId", entry_id),
        ("properties", properties),
        ("context", context),
    ):  # what would fail the write, or every read of the event after it
        if not value or (type(value) is str and "\0" not in value):
            continue  # the common cases, decided without the walk
        problem = find_unstorable(value, max_depth=MAX_DEPTH)
        if problem is not None:
            return EventError(index, problem.under(name), problem.reason, "invalid_value")
    kind = payload["type"]
    rules = PROPERTY_RULES.get(kind)
    if rules is not None:
        try:
            checked = rules.model_validate(properties)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = "properties." + _field_name(first["loc"])
            return EventError(index, field, _message(first), _reason(first["type"]))
        # Keep the checked values ("2" -> 2), so what was validated is what gets aggregated.
        properties.update(checked.model_dump(include=set(rules.model_fields), exclude_unset=True))
    if kind in NEEDS_ENTRY and entry_id is None:
        return EventError(index, "entryId", f"an {kind} event needs an entryId", "missing_field")
    sent_at = payload.get("timestamp")
    try:
        timestamp = sent_at.astimezone(UTC) if sent_at else now
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        return EventError(index, "timestamp", "is out of range in UTC", "invalid_value")
    if timestamp > now + limits.max_future_skew:
        return EventError(
            index,
            "timestamp",
            f"is more than {int(limits.max_future_skew.total_seconds())} seconds in the future",
            "timestamp_in_future",
        )
    hashed = _hash_emails(properties, "properties", index)
    if isinstance(hashed, EventError):
        return hashed
    hashed_context = _hash_emails(context, "context", index)
    if isinstance(hashed_context, EventError):
        return hashed_context
    return Event(
        id=payload["id"],
        type=kind,
        timestamp=timestamp,
        received_at=now,
        anonymous_id=payload.get("anonymousId"),
        user_id=payload.get("userId"),
        entry_id=entry_id,
        properties=hashed,
        context=hashed_context,
        late=timestamp < now - limits.late_after,
    )


def validate_batch(
    raw: Sequence[object], now: datetime, limits: ValidationLimits | None = None
) -> tuple[list[tuple[int, Event]], list[EventError]]:
    """Split a batch into accepted events (with their index) and errors."""
    limits = limits or ValidationLimits()
    accepted: list[tuple[int, Event]] = []
    errors: list[EventError] = []
    try:  # the envelopes of a whole batch at once, as nearly every batch is valid
        payloads: list[EventPayload] | None = _ENVELOPES.validate_python(raw)
    except ValidationError:
        payloads = None  # each event on its own below, so each error names its event
    for index, item in enumerate(raw):
        if payloads is not None:
            result = _checked(payloads[index], index, now, limits)
        else:
            result = validate_event(item, index, now, limits)
        if isinstance(result, EventError):
            errors.append(result)
        else:
            accepted.append((index, result))
    return accepted, errors
