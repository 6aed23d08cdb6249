"""One listing over several CMS collections in turn, behind a single cursor.

CMSs that keep each content type behind its own endpoint (WordPress post types, Strapi
collection types) have no listing across types; `walk` pages through them one after the other
with a cursor ``collection:offset``, so ``entries`` without a content type still works.

A collection may also list items that belong to another (Wagtail's ``type=`` includes the
pages of subclassed models); the fetch answers None for those, which still move the offset.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from veneer.content_adapters.base import EntryPage, InvalidCursor
from veneer.entries import Entry

# (content type, collection, offset, size) -> (entries or None to skip, total in the collection)
FetchPage = Callable[[str, str, int, int], Awaitable[tuple[Sequence[Entry | None], int]]]


async def walk(
    collections: Sequence[tuple[str, str]],
    first: int,
    after: str | None,
    fetch: FetchPage,
    max_page: int,
) -> EntryPage:
    position, offset = 0, 0
    if after is not None:
        name, _, number = after.partition(":")
        names = [collection for _, collection in collections]
        if name not in names or not (number.isascii() and number.isdigit()):
            raise InvalidCursor()
        position, offset = names.index(name), int(number)
    entries: list[Entry] = []
    cursors: list[str] = []
    more = False
    while position < len(collections) and len(entries) < first:
        content_type, collection = collections[position]
        size = min(first - len(entries), max_page)
        found, total = await fetch(content_type, collection, offset, size)
        for i, entry in enumerate(found):
            if entry is not None:
                entries.append(entry)
                cursors.append(f"{collection}:{offset + i + 1}")
        offset += len(found)
        if found and offset < total:
            more = True  # more in this collection, though the page may already be full
            continue
        position, offset = position + 1, 0
        more = position < len(collections)
    return EntryPage(tuple(entries), tuple(cursors), more)
