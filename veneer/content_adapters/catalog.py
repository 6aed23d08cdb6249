"""Which content types a headless CMS serves, and where: named in the setting, or asked once.

Strapi and Directus both map Veneer's content type names to their own collections (a plural
API name, a collection name). The setting may name them (``types=article:articles``);
otherwise the CMS is asked once, and a token not allowed to answer gets a message saying
which permission to grant instead of a bare 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from veneer.content_adapters.base import ContentError, ContentUnavailable, UnknownContentType


class TypeCatalog:
    def __init__(
        self,
        configured: Mapping[str, str],
        discover: Callable[[], Awaitable[dict[str, str]]],
        refused: str,
    ):
        self._configured = dict(configured)
        self._discover = discover
        self._refused = refused
        self._discovered: dict[str, str] | None = None

    async def types(self) -> dict[str, str]:
        """Content type -> the CMS's name for where its entries live."""
        if self._configured:
            return self._configured
        if self._discovered is None:
            try:
                self._discovered = await self._discover()
            except ContentUnavailable as exc:
                if "HTTP 403" not in str(exc):
                    raise
                raise ContentError(self._refused) from exc
        return self._discovered

    async def names(self) -> list[str]:
        return sorted(await self.types())

    async def pick(self, content_type: str | None) -> list[tuple[str, str]]:
        """(type, where) pairs to read: all of them, or the one asked for."""
        types = await self.types()
        if content_type is None:
            return sorted(types.items())
        if content_type not in types:
            raise UnknownContentType(content_type, sorted(types))
        return [(content_type, types[content_type])]
