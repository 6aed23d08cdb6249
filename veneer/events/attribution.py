"""Which viewer an event belongs to, and whether the request may speak for them.

A public key speaks only for the viewer its request names, so an event naming anyone else is
rejected; missing ids are filled in from the request. A secret key may send events for any
viewer, named in the event or, failing that, by the request's headers.
"""

from __future__ import annotations

from dataclasses import replace

from veneer.events.model import Event
from veneer.events.validation import EventError
from veneer.identity.keys import KeyKind
from veneer.identity.viewer import Viewer


def attribute(event: Event, index: int, kind: KeyKind, viewer: Viewer | None) -> Event | EventError:
    if kind is KeyKind.PUBLIC:
        for field, given, own in (
            ("userId", event.user_id, viewer.user_id if viewer else None),
            ("anonymousId", event.anonymous_id, viewer.anonymous_id if viewer else None),
        ):
            if given is not None and given != own:
                return EventError(
                    index,
                    field,
                    "does not match the viewer this request names; a public key sends "
                    "events only for its own viewer",
                    "viewer_mismatch",
                )
    anonymous_id = event.anonymous_id or (viewer.anonymous_id if viewer else None)
    user_id = event.user_id or (viewer.user_id if viewer else None)
    if anonymous_id is None and user_id is None:
        return EventError(
            index,
            "anonymousId",
            "the event names no viewer: send anonymousId or userId, or the viewer headers",
            "no_viewer",
        )
    if anonymous_id == event.anonymous_id and user_id == event.user_id:
        return event  # the common case, and `replace` costs as much as validating
    return replace(event, anonymous_id=anonymous_id, user_id=user_id)
