from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from veneer.content_adapters import InvalidCursor, UnknownContentType
from veneer.content_adapters.file import SAMPLE_CONTENT, FileAdapter
from veneer.demo import DEMO_SEGMENTS
from veneer.entries import Entry

HELLO_EN = """\
---
title: Hello
summary: The English greeting.
tags: [camping, beginner]
updatedAt: "2026-09-14T08:00:00Z"
publishedOn: 2026-09-01
locale: en
variants:
  - id: v-campers
    audience: [campers]
    priority: 10
    fields:
      title: Hello, campers
---

First paragraph.

Second paragraph.
"""

HELLO_DE = """\
---
id: hello-de
slug: hello
title: Hallo
locale: de
---
Erster Absatz.
"""

PLAIN = "Just Markdown, no front matter.\n"

BROKEN_YAML = """\
---
title: [unclosed
---
body
"""

TENT = {"id": "tent-x2", "title": "Trailhead X2", "price": 289.0, "slug": "trailhead-x2"}


def _write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    _write(tmp_path, "article/hello.md", HELLO_EN)
    _write(tmp_path, "article/hallo.md", HELLO_DE)
    _write(tmp_path, "article/plain.md", PLAIN)
    _write(tmp_path, "article/broken.md", BROKEN_YAML)
    _write(tmp_path, "product/tent.json", json.dumps(TENT))
    _write(tmp_path, "product/stove.json", json.dumps({"title": "Emberline"}))
    _write(tmp_path, ".git/config.md", "not content")
    return tmp_path


def _ids(entries: tuple[Entry, ...] | list[Entry]) -> list[str]:
    return [e.id for e in entries]


def _all(adapter: FileAdapter, content_type: str | None = None, locale: str | None = None) -> Any:
    return asyncio.run(adapter.list_entries(content_type, 100, None, locale))


def _get(adapter: FileAdapter, entry_id: str) -> Entry | None:
    return asyncio.run(adapter.get_entry(entry_id))


def test_lists_every_readable_entry_sorted_by_type_then_slug(content: Path) -> None:
    page = _all(FileAdapter(content))
    assert _ids(page.entries) == ["hello-de", "hello", "plain", "stove", "tent-x2"]
    assert page.has_next_page is False


def test_content_types_are_the_folders(content: Path) -> None:
    assert asyncio.run(FileAdapter(content).content_types()) == ["article", "product"]


def test_markdown_entry_from_front_matter_and_body(content: Path) -> None:
    entry = _get(FileAdapter(content), "hello")
    assert entry is not None
    assert entry.content_type == "article"
    assert entry.slug == "hello"
    assert entry.locale == "en"
    assert entry.updated_at == datetime(2026, 9, 14, 8, 0, tzinfo=UTC)
    assert entry.fields == {
        "title": "Hello",
        "summary": "The English greeting.",
        "tags": ["camping", "beginner"],
        "publishedOn": "2026-09-01",
        "body": "First paragraph.\n\nSecond paragraph.",
    }
    (variant,) = entry.variants
    assert variant.id == "v-campers"
    assert variant.audience == ("campers",)
    assert variant.fields == {"title": "Hello, campers"}


def test_fields_are_json_serialisable(content: Path) -> None:
    for entry in _all(FileAdapter(content)).entries:
        json.dumps(entry.fields)


def test_markdown_without_front_matter_is_all_body(content: Path) -> None:
    entry = _get(FileAdapter(content), "plain")
    assert entry is not None
    assert entry.fields == {"body": PLAIN}
    assert entry.variants == ()
    assert entry.locale == "en"
    assert entry.updated_at is not None and entry.updated_at.tzinfo is not None


def test_json_entry_with_explicit_id_and_slug(content: Path) -> None:
    entry = _get(FileAdapter(content), "tent-x2")
    assert entry is not None
    assert entry.content_type == "product"
    assert entry.slug == "trailhead-x2"
    assert entry.fields == {"title": "Trailhead X2", "price": 289.0}
    assert _get(FileAdapter(content), "tent") is None


def test_id_and_slug_default_to_the_file_name(content: Path) -> None:
    entry = _get(FileAdapter(content), "stove")
    assert entry is not None
    assert entry.slug == "stove"


def test_default_locale_is_configurable(content: Path) -> None:
    entry = _get(FileAdapter(content, default_locale="sv"), "stove")
    assert entry is not None
    assert entry.locale == "sv"


def test_malformed_yaml_is_skipped_and_logged_with_its_path(
    content: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="veneer.content_adapters.file"):
        page = _all(FileAdapter(content), "article")
    assert _ids(page.entries) == ["hello-de", "hello", "plain"]
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 1
    assert str(content / "article" / "broken.md") in messages[0]
    assert "YAML" in messages[0]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("unclosed.md", b"---\ntitle: x\nbody without a closing fence\n", "never closed"),
        ("list.md", b"---\n- a\n- b\n---\nbody\n", "mapping"),
        ("bad.json", b"{not json", "invalid JSON"),
        ("array.json", b"[1, 2]", "must be an object"),
        ("stamp.json", b'{"updatedAt": "last week"}', "updatedAt"),
        (
            "variant.json",
            b'{"variants": [{"id": "v", "audience": ["a"], "priority": "high"}]}',
            "variants[0].priority",
        ),
        ("latin1.md", "title: \u00c5re".encode("latin-1"), "decode"),
    ],
)
def test_each_kind_of_malformed_file_is_skipped_and_logged(
    content: Path, caplog: pytest.LogCaptureFixture, name: str, data: bytes, reason: str
) -> None:
    path = content / "product" / name
    path.write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="veneer.content_adapters.file"):
        page = _all(FileAdapter(content), "product")
    assert _ids(page.entries) == ["stove", "tent-x2"]
    (message,) = [r.getMessage() for r in caplog.records]
    assert str(path) in message
    assert reason in message


def test_duplicate_id_is_skipped_and_logged_naming_both_files(
    content: Path, caplog: pytest.LogCaptureFixture
) -> None:
    copy = _write(content, "product/trailhead-copy.json", json.dumps({**TENT, "title": "Copy"}))
    with caplog.at_level(logging.WARNING, logger="veneer.content_adapters.file"):
        page = _all(FileAdapter(content), "product")
    assert _ids(page.entries) == ["stove", "tent-x2"]
    assert page.entries[1].fields["title"] == "Trailhead X2"
    (message,) = [r.getMessage() for r in caplog.records]
    assert str(copy) in message
    assert str(content / "product" / "tent.json") in message
    assert "'tent-x2'" in message


def test_a_bad_file_is_logged_once_per_change(
    content: Path, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = FileAdapter(content)
    broken = content / "article" / "broken.md"

    def read_everything_three_times() -> list[str]:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="veneer.content_adapters.file"):
            for _ in range(3):
                _all(adapter)
                _get(adapter, "hello")
                asyncio.run(adapter.get_by_slug("article", "plain", None))
        return [r.getMessage() for r in caplog.records]

    (first,) = read_everything_three_times()
    assert str(broken) in first and "YAML" in first
    assert read_everything_three_times() == [], "unchanged since it was logged"

    broken.write_text("---\ntitle: [still broken, but differently\n---\n", encoding="utf-8")
    (second,) = read_everything_three_times()
    assert str(broken) in second

    broken.write_text("---\ntitle: Fixed\n---\n", encoding="utf-8")
    assert read_everything_three_times() == []
    broken.write_text(BROKEN_YAML, encoding="utf-8")
    (third,) = read_everything_three_times()
    assert third == first, "broken again after a fix: logged again"


def test_a_duplicate_id_is_logged_once_per_change(
    content: Path, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = FileAdapter(content)
    copy = _write(content, "product/trailhead-copy.json", json.dumps({**TENT, "title": "Copy"}))
    with caplog.at_level(logging.WARNING, logger="veneer.content_adapters.file"):
        for _ in range(3):
            _all(adapter, "product")
    (message,) = [r.getMessage() for r in caplog.records]
    assert str(copy) in message
    caplog.clear()
    copy.write_text(json.dumps({**TENT, "title": "Copy, edited"}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="veneer.content_adapters.file"):
        for _ in range(3):
            _all(adapter, "product")
    assert [r.getMessage() for r in caplog.records] == [message]


def test_unknown_content_type_names_the_known_ones(content: Path) -> None:
    adapter = FileAdapter(content)
    with pytest.raises(UnknownContentType) as info:
        asyncio.run(adapter.list_entries("recipe", 10, None, None))
    assert str(info.value) == "unknown content type 'recipe'; known: article, product"
    assert info.value.field == "contentType"
    with pytest.raises(UnknownContentType):
        asyncio.run(adapter.get_by_slug("recipe", "hello", None))


def test_unknown_content_type_in_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(UnknownContentType, match="known: none"):
        asyncio.run(FileAdapter(tmp_path).list_entries("article", 10, None, None))


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="content folder not found"):
        FileAdapter(tmp_path / "nope")


def test_pagination_walks_every_entry_once(content: Path) -> None:
    adapter = FileAdapter(content)
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        page = asyncio.run(adapter.list_entries(None, 2, after, None))
        pages += 1
        assert len(page.cursors) == len(page.entries)
        seen += _ids(page.entries)
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert pages == 3
    assert seen == ["hello-de", "hello", "plain", "stove", "tent-x2"]


def test_has_next_page_is_false_when_a_page_ends_exactly_at_the_end(content: Path) -> None:
    adapter = FileAdapter(content)
    first = asyncio.run(adapter.list_entries("article", 2, None, None))
    assert first.has_next_page is True
    last = asyncio.run(adapter.list_entries("article", 2, first.cursors[-1], None))
    assert _ids(last.entries) == ["plain"]
    assert last.has_next_page is False
    exact = asyncio.run(adapter.list_entries("article", 3, None, None))
    assert len(exact.entries) == 3
    assert exact.has_next_page is False


def test_cursor_of_any_entry_continues_after_it(content: Path) -> None:
    adapter = FileAdapter(content)
    page = asyncio.run(adapter.list_entries(None, 5, None, None))
    rest = asyncio.run(adapter.list_entries(None, 5, page.cursors[1], None))
    assert _ids(rest.entries) == _ids(page.entries)[2:]


def test_cursor_past_the_end_gives_an_empty_last_page(content: Path) -> None:
    page = asyncio.run(FileAdapter(content).list_entries(None, 5, "99", None))
    assert page.entries == ()
    assert page.has_next_page is False


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "", "²", " 1"])
def test_foreign_cursors_are_refused(content: Path, cursor: str) -> None:
    with pytest.raises(InvalidCursor) as info:
        asyncio.run(FileAdapter(content).list_entries(None, 5, cursor, None))
    assert info.value.field == "after"


def test_locale_filter(content: Path) -> None:
    adapter = FileAdapter(content)
    assert _ids(_all(adapter, locale="de").entries) == ["hello-de"]
    assert _ids(_all(adapter, "article", locale="en").entries) == ["hello", "plain"]
    assert _all(adapter, locale="fr").entries == ()


def test_locale_filter_paginates_over_the_filtered_entries(content: Path) -> None:
    adapter = FileAdapter(content)
    first = asyncio.run(adapter.list_entries(None, 2, None, "en"))
    assert _ids(first.entries) == ["hello", "plain"]
    assert first.has_next_page is True
    second = asyncio.run(adapter.list_entries(None, 2, first.cursors[-1], "en"))
    assert _ids(second.entries) == ["stove", "tent-x2"]
    assert second.has_next_page is False


def test_get_by_slug(content: Path) -> None:
    adapter = FileAdapter(content)

    def by_slug(content_type: str | None, slug: str, locale: str | None) -> str | None:
        entry = asyncio.run(adapter.get_by_slug(content_type, slug, locale))
        return entry.id if entry else None

    assert by_slug("article", "hello", "en") == "hello"
    assert by_slug("article", "hello", "de") == "hello-de"
    assert by_slug("article", "hello", None) in {"hello", "hello-de"}
    assert by_slug(None, "trailhead-x2", None) == "tent-x2"
    assert by_slug("article", "trailhead-x2", None) is None
    assert by_slug("product", "tent", None) is None
    assert by_slug("article", "hello", "fr") is None


def test_get_entry_unknown_id(content: Path) -> None:
    assert _get(FileAdapter(content), "nothing-here") is None


def test_edits_on_disk_show_up_on_the_next_read(content: Path) -> None:
    adapter = FileAdapter(content)
    assert _get(adapter, "new") is None
    _write(content, "article/new.md", "---\ntitle: New\n---\nbody\n")
    entry = _get(adapter, "new")
    assert entry is not None
    assert entry.fields["title"] == "New"


def test_shipped_sample_content_loads_cleanly_and_targets_demo_segments(
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = FileAdapter(SAMPLE_CONTENT)
    with caplog.at_level(logging.WARNING):
        entries = _all(adapter).entries
        types = asyncio.run(adapter.content_types())
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert {"article", "product"} <= set(types)
    assert {e.content_type for e in entries} >= {"article", "product"}
    demo_keys = {segment["key"] for segment in DEMO_SEGMENTS}
    audiences = {key for e in entries for v in e.variants for key in v.audience}
    assert audiences, "the sample content should carry variants"
    assert audiences <= demo_keys, audiences - demo_keys


def test_a_bare_date_as_updated_at_means_midnight_utc(tmp_path: Path) -> None:
    (tmp_path / "article").mkdir()
    text = "---\ntitle: Dated\nupdatedAt: 2026-09-01\n---\n"
    (tmp_path / "article" / "dated.md").write_text(text)
    entry = asyncio.run(FileAdapter(tmp_path).get_entry("dated"))
    assert entry is not None
    assert entry.updated_at == datetime(2026, 9, 1, tzinfo=UTC)


def test_translations_may_share_a_slug(tmp_path: Path) -> None:
    (tmp_path / "article").mkdir()
    (tmp_path / "article" / "hello.md").write_text("---\ntitle: Hello\n---\n")
    (tmp_path / "article" / "hello.fr.md").write_text(
        "---\nslug: hello\nlocale: fr\ntitle: Bonjour\n---\n"
    )
    adapter = FileAdapter(tmp_path)

    french = asyncio.run(adapter.list_entries("article", 10, None, "fr"))
    english = asyncio.run(adapter.get_entry("hello"))

    assert [e.fields["title"] for e in french.entries] == ["Bonjour"]
    assert english is not None and english.fields["title"] == "Hello"
    every = asyncio.run(adapter.list_entries("article", 10, None, None))
    assert len(every.entries) == 2
