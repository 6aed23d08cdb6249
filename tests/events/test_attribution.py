from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veneer.events.attribution import attribute
from veneer.events.model import Event
from veneer.events.validation import EventError, ValidationLimits, validate_event
from veneer.identity.keys import KeyKind
from veneer.identity.viewer import Viewer

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _event(anonymous_id: str | None = None, user_id: str | None = None) -> Event:
    return Event(
        id="evt-1",
        type="entry_view",
        timestamp=NOW,
        received_at=NOW,
        anonymous_id=anonymous_id,
        user_id=user_id,
        entry_id="tent-x2",
        properties={"position": 1},
        context={"url": "/tents"},
    )


def _attributed(result: Event | EventError) -> Event:
    assert isinstance(result, Event), result
    return result


def _rejected(result: Event | EventError) -> EventError:
    assert isinstance(result, EventError), result
    return result


# --- public keys ------------------------------------------------------------------------------


def test_public_key_accepts_ids_equal_to_the_viewers() -> None:
    viewer = Viewer(anonymous_id="anon-1", user_id="user-1")
    event = _event(anonymous_id="anon-1", user_id="user-1")
    assert _attributed(attribute(event, 0, KeyKind.PUBLIC, viewer)) == event


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (_event(anonymous_id="anon-2"), "anonymousId"),
        (_event(user_id="user-2"), "userId"),
        (_event(anonymous_id="anon-1", user_id="user-2"), "userId"),
        (_event(anonymous_id="anon-2", user_id="user-1"), "anonymousId"),
    ],
)
def test_public_key_rejects_an_event_naming_another_viewer(event: Event, field: str) -> None:
    viewer = Viewer(anonymous_id="anon-1", user_id="user-1")
    error = _rejected(attribute(event, 4, KeyKind.PUBLIC, viewer))
    assert error.index == 4
    assert error.field == field
    assert error.reason == "viewer_mismatch"
    assert "public key" in error.message


def test_public_key_of_an_anonymous_viewer_cannot_claim_a_user() -> None:
    viewer = Viewer(anonymous_id="anon-1")
    error = _rejected(
        attribute(_event(anonymous_id="anon-1", user_id="user-1"), 0, KeyKind.PUBLIC, viewer)
    )
    assert error.field == "userId"
    assert error.reason == "viewer_mismatch"


def test_public_key_of_a_logged_in_viewer_without_device_cannot_claim_a_device() -> None:
    viewer = Viewer(user_id="user-1")
    error = _rejected(attribute(_event(anonymous_id="anon-1"), 0, KeyKind.PUBLIC, viewer))
    assert error.field == "anonymousId"
    assert error.reason == "viewer_mismatch"


def test_public_key_without_a_viewer_rejects_an_event_naming_ids() -> None:
    error = _rejected(attribute(_event(anonymous_id="anon-1"), 2, KeyKind.PUBLIC, None))
    assert (error.index, error.field, error.reason) == (2, "anonymousId", "viewer_mismatch")
    error = _rejected(attribute(_event(user_id="user-1"), 2, KeyKind.PUBLIC, None))
    assert (error.index, error.field, error.reason) == (2, "userId", "viewer_mismatch")


def test_public_key_fills_missing_ids_from_the_viewer() -> None:
    viewer = Viewer(anonymous_id="anon-1", user_id="user-1")
    event = _attributed(attribute(_event(), 0, KeyKind.PUBLIC, viewer))
    assert (event.anonymous_id, event.user_id) == ("anon-1", "user-1")
    partly = _attributed(attribute(_event(anonymous_id="anon-1"), 0, KeyKind.PUBLIC, viewer))
    assert (partly.anonymous_id, partly.user_id) == ("anon-1", "user-1")


def test_filling_ids_keeps_the_rest_of_the_event() -> None:
    original = _event()
    event = _attributed(attribute(original, 0, KeyKind.PUBLIC, Viewer(anonymous_id="anon-1")))
    assert event.id == original.id
    assert event.type == original.type
    assert event.timestamp == original.timestamp
    assert event.entry_id == original.entry_id
    assert event.properties == original.properties
    assert event.context == original.context
    assert event.user_id is None
    assert original.anonymous_id is None


def test_public_key_without_a_viewer_or_ids_is_rejected_as_no_viewer() -> None:
    error = _rejected(attribute(_event(), 7, KeyKind.PUBLIC, None))
    assert (error.index, error.field, error.reason) == (7, "anonymousId", "no_viewer")


# --- secret keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "viewer", [None, Viewer(anonymous_id="anon-1"), Viewer(anonymous_id="a", user_id="u")]
)
def test_secret_key_may_send_events_for_any_viewer(viewer: Viewer | None) -> None:
    event = _event(anonymous_id="anon-9", user_id="user-9")
    assert _attributed(attribute(event, 0, KeyKind.SECRET, viewer)) == event


def test_secret_key_fills_missing_ids_from_the_request_viewer() -> None:
    viewer = Viewer(anonymous_id="anon-1", user_id="user-1")
    event = _attributed(attribute(_event(), 0, KeyKind.SECRET, viewer))
    assert (event.anonymous_id, event.user_id) == ("anon-1", "user-1")
    named = _attributed(attribute(_event(user_id="user-9"), 0, KeyKind.SECRET, viewer))
    assert (named.anonymous_id, named.user_id) == ("anon-1", "user-9")


def test_secret_key_keeps_ids_when_the_request_names_nobody() -> None:
    event = _attributed(attribute(_event(user_id="user-9"), 0, KeyKind.SECRET, None))
    assert (event.anonymous_id, event.user_id) == (None, "user-9")


def test_secret_key_without_a_viewer_or_ids_is_rejected_as_no_viewer() -> None:
    error = _rejected(attribute(_event(), 1, KeyKind.SECRET, None))
    assert (error.index, error.field, error.reason) == (1, "anonymousId", "no_viewer")


# --- which profile ----------------------------------------------------------------------------


def test_viewer_id_is_the_user_once_known() -> None:
    assert _event(anonymous_id="anon-1", user_id="user-1").viewer_id == "user:user-1"
    assert _event(user_id="user-1").viewer_id == "user:user-1"


def test_viewer_id_is_the_device_for_an_anonymous_event() -> None:
    assert _event(anonymous_id="anon-1").viewer_id == "anon:anon-1"


def test_an_attributed_event_belongs_to_the_same_profile_as_its_viewer() -> None:
    for viewer in (Viewer(anonymous_id="anon-1"), Viewer(anonymous_id="anon-1", user_id="u-1")):
        event = _attributed(attribute(_event(), 0, KeyKind.PUBLIC, viewer))
        assert event.viewer_id == viewer.id


def test_a_validated_event_is_attributed_to_the_request_viewer() -> None:
    raw = {"id": "e", "type": "page_view", "timestamp": "2026-11-26T11:00:00Z"}
    validated = validate_event(raw, 0, NOW, ValidationLimits())
    assert isinstance(validated, Event)
    event = _attributed(attribute(validated, 0, KeyKind.PUBLIC, Viewer(user_id="user-1")))
    assert event.viewer_id == "user:user-1"
    assert event.anonymous_id is None
