"""`CachedAdapter`: any adapter, with its answers kept in a `Cache` for a TTL.

Entries are segment-independent, so one cached copy serves every viewer; the personalized
answer is assembled per request from it. Nothing viewer-specific ever enters these keys.

Stale-if-error: every answer is also kept under a second key for ``stale_ttl`` (days, not
seconds). When the CMS cannot answer, that copy is served and the request is marked stale
(see `stale_content`), so a CMS outage degrades to slightly old content instead of errors;
only content never seen before fails. Webhook invalidation drops the fresh copies only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

import orjson

from veneer.backends.cache import Cache
from veneer.content_adapters.base import ContentAdapter, ContentUnavailable, EntryPage
from veneer.entries import Entry

_MISSING = "__missing__"
T = TypeVar("T")

stale_content: ContextVar[set[str] | None] = ContextVar("stale_content", default=None)
"""Per request: a set the adapter adds to when a stale copy answered. A set, not a flag,
because resolvers run in child tasks whose context changes do not reach the request's."""


def _key(*parts: object) -> str:
    """Unambiguous cache keys: JSON keeps None apart from "None" and a ':' inside a slug."""
    return orjson.dumps(parts).decode()


class CachedAdapter:
    def __init__(self, inner: ContentAdapter, cache: Cache, ttl: float, stale_ttl: float = 0):
        self.inner = inner
        self.name = inner.name
        self._cache = cache
        self._ttl = ttl
        self._stale_ttl = stale_ttl
        self._prefix = f"content:{inner.name}:"
        self._stale_prefix = f"content-stale:{inner.name}:"

    async def _cached(self, key: str, fetch: Callable[[], Awaitable[Any]]) -> Any:
        """The fresh copy, else the CMS's answer (kept twice), else a stale copy."""
        cached = await self._cache.get(self._prefix + key)
        if cached is not None:
            return None if cached == _MISSING else cached
        try:
            value = await fetch()
        except ContentUnavailable:
            stale = await self._cache.get(self._stale_prefix + key)
            if stale is None:
                raise
            marks = stale_content.get()
            if marks is not None:
                marks.add(key)
            return None if stale == _MISSING else stale
        stored = _MISSING if value is None else value
        await self._cache.set(self._prefix + key, stored, self._ttl)
        await self._cache.set(self._stale_prefix + key, stored, self._stale_ttl)
        return value

    async def content_types(self) -> list[str]:
        return list(await self._cached("types", self.inner.content_types))

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        key = _key("list", content_type, first, after, locale)
        page = await self._cached(
            key, lambda: self.inner.list_entries(content_type, first, after, locale)
        )
        assert isinstance(page, EntryPage)
        return page

    async def get_entry(self, entry_id: str) -> Entry | None:
        entry = await self._cached(_key("id", entry_id), lambda: self.inner.get_entry(entry_id))
        assert entry is None or isinstance(entry, Entry)
        return entry

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None:
        entry = await self._cached(
            _key("slug", content_type, slug, locale),
            lambda: self.inner.get_by_slug(content_type, slug, locale),
        )
        assert entry is None or isinstance(entry, Entry)
        return entry

    async def invalidate(self) -> None:
        """Drop the fresh copies (a CMS webhook calls this); stale copies stay for outages."""
        await self._cache.delete_prefix(self._prefix)

    async def aclose(self) -> None:
        await self.inner.aclose()
