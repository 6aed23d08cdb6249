"""Who an event belongs to, and whether the request may speak for them."""

from __future__ import annotations

from datetime import UTC, datetime

from veneer.events.attribution import attribute
from veneer.events.model import Event
from veneer.events.validation import EventError
from veneer.identity.keys import KeyKind
from veneer.identity.viewer import Viewer

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _event(anonymous_id: str | None = None, user_id: str | None = None) -> Event:
    return Event("e", "click", NOW, NOW, anonymous_id, user_id, None, {}, {})


def test_a_public_key_speaks_only_for_its_viewer() -> None:
    me = Viewer(anonymous_id="dev-1", user_id="ann")
    filled = attribute(_event(), 0, KeyKind.PUBLIC, me)
    assert isinstance(filled, Event) and filled.viewer_id == "user:ann"
    for stranger in (_event(anonymous_id="dev-2"), _event(user_id="bob")):
        error = attribute(stranger, 3, KeyKind.PUBLIC, me)
        assert isinstance(error, EventError)
        assert (error.index, error.reason) == (3, "viewer_mismatch")


def test_a_secret_key_may_name_anyone_but_someone() -> None:
    named = attribute(_event(anonymous_id="dev-9"), 0, KeyKind.SECRET, None)
    assert isinstance(named, Event) and named.viewer_id == "anon:dev-9"
    from_headers = attribute(_event(), 0, KeyKind.SECRET, Viewer(user_id="cy"))
    assert isinstance(from_headers, Event) and from_headers.viewer_id == "user:cy"
    nobody = attribute(_event(), 0, KeyKind.SECRET, None)
    assert isinstance(nobody, EventError) and nobody.reason == "no_viewer"
