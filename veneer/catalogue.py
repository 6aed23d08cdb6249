"""`Catalogue`: every entry the CMS lists now, indexed for content similarity, per process.

Building the TF-IDF index reads the whole catalogue and fits a vectorizer, far too much for
a request, and identical for every viewer; so each process holds one. It is built when
recommendations are first asked for (not at start-up, which stays quick), rebuilt when the
content bus says the CMS changed, and checked every ``recommend_index_refresh`` seconds for
CMSs that send no webhooks (a rebuild happens only if an entry changed). Requests always
get the index at hand: a rebuild swaps the new one in when it is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from veneer.content_adapters.base import ContentAdapter, ContentError
from veneer.entries import Entry
from veneer.recommend.content_index import ContentIndex

logger = logging.getLogger(__name__)
PAGE = 100  # entries per listing request; every adapter accepts this many


class Catalogue:
    def __init__(self, content: ContentAdapter):
        self._content = content
        self._entries: list[Entry] | None = None
        self._index: ContentIndex | None = None
        self._refreshing = asyncio.Lock()  # one listing and build at a time

    async def entries(self) -> list[Entry]:
        """Every entry the CMS lists now, read afresh (not the index's copy)."""
        entries: list[Entry] = []
        after: str | None = None
        while True:
            page = await self._content.list_entries(None, PAGE, after, None)
            entries += page.entries
            if not page.has_next_page or not page.cursors:
                return entries
            after = page.cursors[-1]

    async def index(self) -> ContentIndex:
        """The index; the first call builds it (content errors propagate), later ones wait
        for nothing."""
        if self._index is None:
            await self.refresh()
        assert self._index is not None
        return self._index

    async def refresh(self) -> bool:
        """List the catalogue again and rebuild if anything changed; True if it did."""
        async with self._refreshing:
            entries = await self.entries()
            if self._index is not None and entries == self._entries:
                return False
            index = await asyncio.to_thread(ContentIndex.build, entries)
            self._entries, self._index = entries, index
        logger.info("content similarity index built over %d entries", len(index))
        return True

    async def content_changed(self) -> None:
        """The content bus's listener: rebuild an index in use; leave an unused one unbuilt."""
        if self._index is None:
            return
        try:
            await self.refresh()
        except ContentError as exc:
            logger.warning("content similarity index kept, the CMS did not answer: %s", exc)

    async def watch(self, stop: asyncio.Event, every: float) -> None:
        """Until ``stop``: every ``every`` seconds, pick up changes no webhook announced."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            if not stop.is_set():
                await self.content_changed()
