"""Feed cursors: an opaque snapshot id and an offset into it, and where snapshots are kept.

The cursor carries no entry ids and no viewer: the snapshot's cache key holds the viewer's
id, so a cursor another viewer sends finds nothing, exactly like an expired one, and
reveals nothing of whose it was. Snapshot ids are random, so they cannot be guessed either.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

_PREFIX = "veneer:feed:v1:"
SNAPSHOT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class FeedCursor:
    snapshot_id: str
    offset: int  # entries of the snapshot before the next page


def encode_cursor(cursor: FeedCursor) -> str:
    text = _PREFIX + json.dumps([cursor.snapshot_id, cursor.offset], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(text: str) -> FeedCursor:
    try:
        plain = base64.urlsafe_b64decode(text.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise BadCursor() from exc
    if not plain.startswith(_PREFIX):
        raise BadCursor()
    try:
        snapshot_id, offset = json.loads(plain[len(_PREFIX) :])
    except (ValueError, TypeError) as exc:
        raise BadCursor() from exc
    if not isinstance(snapshot_id, str) or not SNAPSHOT_ID.fullmatch(snapshot_id):
        raise BadCursor()
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise BadCursor()
    return FeedCursor(snapshot_id, offset)


def snapshot_key(viewer_id: str | None, snapshot_id: str) -> str:
    return f"{snapshot_prefix(viewer_id)}{snapshot_id}"


def snapshot_prefix(viewer_id: str | None) -> str:
    """Every snapshot of one viewer (erasure drops them); a request naming nobody gets ``""``."""
    return f"feed:{viewer_id or ''}|"
