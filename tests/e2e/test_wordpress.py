"""The WordPress adapter against a local stand-in that follows the REST API's documented shapes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

from bench.servers import uvicorn_server
from veneer.content_adapters import InvalidCursor, UnknownContentType
from veneer.content_adapters.registry import ContentSettingError, adapter_from_setting
from veneer.content_adapters.wordpress import WordPressAdapter


@pytest.fixture(scope="module")
def wp() -> Iterator[str]:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    with uvicorn_server("tests.e2e.wordpress_standin:app", env) as base:
        yield f"{base}/wp-json/"


def _run(wp: str, call: Any, types: str = "") -> Any:
    async def go() -> Any:
        adapter = adapter_from_setting(f"wordpress:{wp}{types}")
        assert isinstance(adapter, WordPressAdapter)
        try:
            return await call(adapter)
        finally:
            await adapter.aclose()

    return asyncio.run(go())


def test_walks_pages_then_posts_with_cursors(wp: str) -> None:
    async def walk(adapter: WordPressAdapter) -> list[tuple[str, str | None, bool]]:
        seen, after = [], None
        while True:
            page = await adapter.list_entries(None, 4, after, None)
            seen += [(e.content_type, e.slug, page.has_next_page) for e in page.entries]
            if not page.has_next_page:
                return seen
            after = page.cursors[-1]

    seen = _run(wp, walk)
    assert [slug for _, slug, _ in seen] == [
        *(f"page-{n}" for n in range(1, 4)),
        *(f"post-{n:02d}" for n in range(1, 8)),
    ], "every published item once, drafts and other languages left out"
    assert {kind for kind, _, _ in seen} == {"page", "post"}


def test_a_post_becomes_an_entry_with_sanitized_html_and_variants(wp: str) -> None:
    first = _run(wp, lambda a: a.get_entry("1"))
    scripted = _run(wp, lambda a: a.get_entry("2"))
    broken = _run(wp, lambda a: a.get_entry("3"))
    assert first.fields["title"] == "Post 01" and first.content_type == "post"
    assert first.variants[0].id == "v-campers" and "meta" not in first.fields
    assert first.updated_at is not None and first.updated_at.isoformat().startswith(
        "2026-11-02T09:30:00+00:00"
    )
    assert scripted.fields["content"].startswith("<p>Hi</p><a"), "no script, no event handler"
    assert "javascript:" not in scripted.fields["content"]
    assert broken.variants == () and broken.fields["title"] == "Post 03"


def test_slugs_languages_types_and_unknowns(wp: str) -> None:
    german = _run(wp, lambda a: a.get_by_slug("post", "post-01", "de"))
    article = _run(wp, lambda a: a.get_by_slug("article", "post-02", None), "?types=article:posts")
    assert german.fields["title"] == "Beitrag 01" and german.locale == "de"
    assert article.content_type == "article"
    assert _run(wp, lambda a: a.get_entry("21")) is None, "drafts are never served"
    assert _run(wp, lambda a: a.get_entry("nope")) is None
    assert _run(wp, lambda a: a.get_by_slug(None, "page-2", None)).content_type == "page"
    with pytest.raises(UnknownContentType, match="known: page, post"):
        _run(wp, lambda a: a.list_entries("recipe", 5, None, None))
    with pytest.raises(InvalidCursor):
        _run(wp, lambda a: a.list_entries(None, 5, "users:3", None))


def test_the_setting_is_checked() -> None:
    with pytest.raises(ContentSettingError, match="types must look like article:posts"):
        adapter_from_setting("wordpress:http://127.0.0.1:1/wp-json/?types=article")


def test_the_variants_field_can_be_named(wp: str) -> None:
    elsewhere = _run(wp, lambda a: a.get_entry("1"), "?variants=campaign_variants")
    assert elsewhere.variants == (), "variants are read from the named meta field only"
    with pytest.raises(ContentSettingError, match="variants must name a field"):
        adapter_from_setting("wordpress:http://127.0.0.1:1/wp-json/?variants=a.b")
