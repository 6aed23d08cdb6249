"""`CachedAdapter`: any adapter, with its answers kept in a `Cache` for a TTL.

Entries are segment-independent, so one cached copy serves every viewer; the personalized
answer is assembled per request from it. Nothing viewer-specific ever enters these keys.
"""

from __future__ import annotations

from veneer.content_adapters.base import ContentAdapter, EntryPage
from veneer.entries import Entry
from veneer.runtime.cache import Cache

_MISSING = "__missing__"


class CachedAdapter:
    def __init__(self, inner: ContentAdapter, cache: Cache, ttl: float):
        self.inner = inner
        self.name = inner.name
        self._cache = cache
        self._ttl = ttl
        self._prefix = f"content:{inner.name}:"

    async def content_types(self) -> list[str]:
        key = self._prefix + "types"
        cached = await self._cache.get(key)
        if cached is None:
            cached = await self.inner.content_types()
            await self._cache.set(key, cached, self._ttl)
        return list(cached)

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        key = f"{self._prefix}list:{content_type}:{first}:{after}:{locale}"
        page = await self._cache.get(key)
        if page is None:
            page = await self.inner.list_entries(content_type, first, after, locale)
            await self._cache.set(key, page, self._ttl)
            for entry in page.entries:
                await self._cache.set(f"{self._prefix}id:{entry.id}", entry, self._ttl)
        assert isinstance(page, EntryPage)
        return page

    async def get_entry(self, entry_id: str) -> Entry | None:
        key = f"{self._prefix}id:{entry_id}"
        cached = await self._cache.get(key)
        if cached == _MISSING:
            return None
        if cached is None:
            entry = await self.inner.get_entry(entry_id)
            await self._cache.set(key, entry if entry is not None else _MISSING, self._ttl)
            return entry
        assert isinstance(cached, Entry)
        return cached

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None:
        key = f"{self._prefix}slug:{content_type}:{slug}:{locale}"
        cached = await self._cache.get(key)
        if cached == _MISSING:
            return None
        if cached is None:
            entry = await self.inner.get_by_slug(content_type, slug, locale)
            await self._cache.set(key, entry if entry is not None else _MISSING, self._ttl)
            return entry
        assert isinstance(cached, Entry)
        return cached

    async def invalidate(self) -> None:
        """Drop everything this adapter cached (a CMS webhook will call this)."""
        await self._cache.delete_prefix(self._prefix)

    async def aclose(self) -> None:
        await self.inner.aclose()
