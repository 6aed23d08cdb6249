"""Relay connections: opaque cursors wrapping whatever cursor the content adapter uses.

A cursor is bound to the list it came from (content type and locale): offsets and page
numbers mean nothing in another list, so a cursor used with other arguments is refused with
a reason instead of silently paging somewhere else.
"""

from __future__ import annotations

import base64
import binascii
import json

import strawberry

from veneer.content_adapters import ContentError, InvalidCursor

_PREFIX = "veneer:v2:"
_UNBOUND_PREFIX = "veneer:v1:"  # cursors issued before they were bound; still honoured


class CursorMismatch(ContentError):
    def __init__(self, argument: str, issued: str | None, given: str | None):
        def said(value: str | None) -> str:
            return "none" if value is None else f"`{value}`"

        super().__init__(
            f"this cursor was issued for {argument} {said(issued)}, not {said(given)}; "
            "page with the same arguments, or start again without after",
            field="after",
        )


def encode_cursor(adapter_cursor: str, content_type: str | None, locale: str | None) -> str:
    bound = json.dumps([content_type, locale, adapter_cursor], separators=(",", ":"))
    return base64.urlsafe_b64encode((_PREFIX + bound).encode()).decode()


def decode_cursor(cursor: str, content_type: str | None, locale: str | None) -> str:
    """The adapter's cursor, if ``cursor`` was issued for this content type and locale."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor() from exc
    if text.startswith(_UNBOUND_PREFIX):
        return text[len(_UNBOUND_PREFIX) :]
    if not text.startswith(_PREFIX):
        raise InvalidCursor()
    try:
        issued_type, issued_locale, adapter_cursor = json.loads(text[len(_PREFIX) :])
    except (ValueError, TypeError) as exc:
        raise InvalidCursor() from exc
    if not isinstance(adapter_cursor, str):
        raise InvalidCursor()
    if issued_type != content_type:
        raise CursorMismatch("contentType", issued_type, content_type)
    if issued_locale != locale:
        raise CursorMismatch("locale", issued_locale, locale)
    return adapter_cursor


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None
