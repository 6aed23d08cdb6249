"""One listing over several collections in turn, behind one cursor."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from veneer.content_adapters.walk import walk
from veneer.entries import Entry

# Two collections; in "base", the odd items belong to "sub" (a subclass listed with its base).
ITEMS = {"base": [f"b{n}" for n in range(6)], "sub": ["b1", "b3", "b5"]}


async def fetch(
    kind: str, collection: str, offset: int, size: int
) -> tuple[Sequence[Entry | None], int]:
    items = ITEMS[collection][offset : offset + size]
    found = [
        None if collection == "base" and int(item[1:]) % 2 else Entry(item, kind, item, {})
        for item in items
    ]
    return found, len(ITEMS[collection])


def test_items_another_collection_serves_are_skipped_but_keep_their_place() -> None:
    collections = [("base", "base"), ("sub", "sub")]
    seen, cursors, after = [], [], None
    while True:
        page = asyncio.run(walk(collections, 2, after, fetch, max_page=2))
        seen += [e.id for e in page.entries]
        cursors += page.cursors
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert seen == ["b0", "b2", "b4", "b1", "b3", "b5"], "each once, under its own collection"
    assert cursors[:3] == ["base:1", "base:3", "base:5"]
