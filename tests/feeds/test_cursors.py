"""Feed cursors: opaque, carrying a snapshot id and an offset, and nothing a client could bend."""

from __future__ import annotations

import base64

import pytest

from veneer.feeds.cursors import (
    BadCursor,
    FeedCursor,
    decode_cursor,
    encode_cursor,
    snapshot_key,
    snapshot_prefix,
)


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def test_a_cursor_round_trips() -> None:
    cursor = FeedCursor("AbCdEfGh_-12", 20)
    assert decode_cursor(encode_cursor(cursor)) == cursor


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not base64!",
        _raw('veneer:v2:[null,null,"20"]'),  # an `entries` cursor
        _raw("veneer:feed:v1:not json"),
        _raw('veneer:feed:v1:["AbCdEfGh",-1]'),
        _raw('veneer:feed:v1:["AbCdEfGh","3"]'),
        _raw('veneer:feed:v1:["AbCdEfGh",true]'),
        _raw('veneer:feed:v1:["../other",3]'),
        _raw('veneer:feed:v1:["short",3]'),
        _raw('veneer:feed:v1:["AbCdEfGh",3,4]'),
        _raw('veneer:feed:v1:{"a":1}'),
    ],
)
def test_anything_else_is_not_a_feed_cursor(text: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(text)


def test_snapshots_are_kept_under_their_viewer() -> None:
    assert snapshot_key("anon:v1", "AbCdEfGh") == "feed:anon:v1|AbCdEfGh"
    assert snapshot_key("anon:v1", "AbCdEfGh").startswith(snapshot_prefix("anon:v1"))
    assert not snapshot_key("anon:v10", "AbCdEfGh").startswith(snapshot_prefix("anon:v1"))
    assert snapshot_key(None, "AbCdEfGh") == "feed:|AbCdEfGh"
