"""How a WordPress post's registered meta becomes part of an entry."""

from __future__ import annotations

from typing import Any

from tests.e2e.wordpress_standin import POSTS
from veneer.content_adapters.wordpress import WordPressMapping, post_to_entry
from veneer.feeds.pins import pin_position


def _with_meta(**meta: Any) -> dict[str, Any]:
    return {**POSTS[3], "meta": {"veneer_variants": "", **meta}}


def test_the_feed_pin_meta_pins_the_post_like_a_field_elsewhere() -> None:
    pinned = post_to_entry(_with_meta(veneer_feed_pin="2"), "post", WordPressMapping(), "en")
    assert pinned.fields["feedPin"] == "2" and pin_position(pinned.fields) == 2


def test_a_post_without_the_meta_is_not_pinned() -> None:
    for post in (_with_meta(), _with_meta(veneer_feed_pin=""), POSTS[3]):
        entry = post_to_entry(post, "post", WordPressMapping(), "en")
        assert "feedPin" not in entry.fields and "meta" not in entry.fields
