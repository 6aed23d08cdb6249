"""Relay connections: opaque cursors wrapping whatever cursor the content adapter uses."""

from __future__ import annotations

import base64
import binascii

import strawberry

from veneer.content_adapters import InvalidCursor

_PREFIX = "veneer:v1:"


def encode_cursor(adapter_cursor: str) -> str:
    return base64.urlsafe_b64encode((_PREFIX + adapter_cursor).encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor() from exc
    if not text.startswith(_PREFIX):
        raise InvalidCursor()
    return text[len(_PREFIX) :]


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None
