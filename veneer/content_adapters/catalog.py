"""Which content types a headless CMS serves, and where: named in the setting, or asked once.

Strapi, Directus and Wagtail map Veneer's content type names to their own (a plural API
name, a collection name, a page model). The setting may name them (``types=article:articles``);
otherwise the CMS is asked once, and a token not allowed to answer gets a message saying
which permission to grant instead of a bare 403.

A CMS whose types are discovered from its entries (Wagtail) can gain one when an editor
publishes the first page of a model; with ``rediscover_after``, a type the catalog does not
know makes it ask again, at most that often, so a mistyped name cannot make Veneer walk the
CMS on every request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from veneer.content_adapters.base import ContentError, ContentUnavailable, UnknownContentType


class TypeCatalog:
    def __init__(
        self,
        configured: Mapping[str, str],
        discover: Callable[[], Awaitable[dict[str, str]]],
        refused: str,
        *,
        rediscover_after: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._configured = dict(configured)
        self._discover = discover
        self._refused = refused
        self._rediscover_after = rediscover_after
        self._clock = clock
        self._discovered: dict[str, str] | None = None
        self._discovered_at = 0.0
        self._asking = asyncio.Lock()  # concurrent first requests share one discovery

    async def types(self) -> dict[str, str]:
        """Content type -> the CMS's name for where its entries live."""
        if self._configured:
            return self._configured
        if self._discovered is None:
            async with self._asking:
                if self._discovered is None:
                    self._discovered = await self._ask()
        return self._discovered

    async def _ask(self) -> dict[str, str]:
        try:
            found = await self._discover()
        except ContentUnavailable as exc:
            if "HTTP 403" not in str(exc):
                raise
            raise ContentError(self._refused) from exc
        self._discovered_at = self._clock()
        return found

    async def _rediscovered(self) -> dict[str, str] | None:
        """The CMS's types asked again after a miss, if discovered and not asked too recently."""
        if self._configured or self._rediscover_after is None or self._discovered is None:
            return None
        if self._clock() - self._discovered_at < self._rediscover_after:
            return None
        async with self._asking:
            if self._clock() - self._discovered_at >= self._rediscover_after:
                try:
                    self._discovered = await self._ask()
                except ContentError:
                    self._discovered_at = self._clock()  # keep what we knew; ask later
        return self._discovered

    async def names(self) -> list[str]:
        return sorted(await self.types())

    async def pick(self, content_type: str | None) -> list[tuple[str, str]]:
        """(type, where) pairs to read: all of them, or the one asked for."""
        types = await self.types()
        if content_type is None:
            return sorted(types.items())
        if content_type not in types:
            types = await self._rediscovered() or types
        if content_type not in types:
            raise UnknownContentType(content_type, sorted(types))
        return [(content_type, types[content_type])]

    async def type_of(self, where: str) -> str | None:
        """The content type whose entries live in ``where``, or None if none of them does."""
        found = _where(await self.types(), where)
        if found is None:
            found = _where(await self._rediscovered() or {}, where)
        return found


def _where(types: Mapping[str, str], where: str) -> str | None:
    return next((name for name, place in sorted(types.items()) if place == where), None)
