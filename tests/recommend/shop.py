"""The shipped sample shop, read once, for the pure recommendation tests."""

from __future__ import annotations

import asyncio
import functools

from veneer.content_adapters.file import SAMPLE_CONTENT, FileAdapter
from veneer.entries import Entry
from veneer.recommend.content_index import ContentIndex, tags_of


@functools.cache
def entries() -> tuple[Entry, ...]:
    page = asyncio.run(FileAdapter(SAMPLE_CONTENT).list_entries(None, 100, None, None))
    assert not page.has_next_page
    return page.entries


@functools.cache
def index() -> ContentIndex:
    return ContentIndex.build(entries())


def entry(entry_id: str) -> Entry:
    return index().entries[entry_id]


def tags(entry_id: str) -> set[str]:
    return set(tags_of(entry(entry_id)))
