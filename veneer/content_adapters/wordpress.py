"""The WordPress adapter: the REST API's posts, pages and custom post types as Veneer entries.

``VENEER_CONTENT=wordpress:https://blog.example/wp-json/?types=article:posts,page:pages``
maps Veneer content types to REST bases (default: ``post:posts,page:pages``). Only published
items are read (``status=publish``, the API's default for anonymous readers). Variants live in
the ``veneer_variants`` post meta (registered with ``show_in_rest``), a JSON list in the shape
of `veneer.entries.Variant`. WordPress renders titles, content and excerpts to HTML; Veneer
serves that HTML sanitized, since a compromised author account must not reach viewers' pages
with scripts. Locales follow Polylang's ``lang`` parameter. An editor pins a post in the feed
with the ``veneer_feed_pin`` post meta, served as the entry's ``feedPin`` field.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nh3

from veneer.content_adapters.base import EntryPage, UnknownContentType
from veneer.content_adapters.http import ResilientClient
from veneer.content_adapters.walk import walk
from veneer.entries import Entry, VariantsError, parse_variants

logger = logging.getLogger(__name__)
MAX_PER_PAGE = 100  # the REST API's ceiling for per_page
RENDERED = ("title", "content", "excerpt")
SKIPPED = {"id", "slug", "meta", "_links", "guid", "status", "type", "link", "template"}
VARIANTS_META = "veneer_variants"
FEED_PIN_META = "veneer_feed_pin"  # post meta holds what other CMSs keep in a field


@dataclass(frozen=True)
class WordPressMapping:
    """Which REST base is which Veneer content type, and which post meta holds variants."""

    types: dict[str, str] = field(default_factory=lambda: {"post": "posts", "page": "pages"})
    variants_meta: str = VARIANTS_META


def _gmt(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=UTC)  # *_gmt fields carry no zone


def _variants(raw: object, post_id: object) -> tuple[Any, ...]:
    if isinstance(raw, str):
        if not raw.strip():
            return ()
        try:
            raw = json.loads(raw)
        except ValueError:
            logger.warning("WordPress post %s: %s is not JSON; ignored", post_id, VARIANTS_META)
            return ()
    try:
        return parse_variants(raw or None)
    except VariantsError as exc:  # a half-edited variant must not take the post down
        logger.warning("WordPress post %s: ignoring its variants: %s", post_id, exc)
        return ()


def post_to_entry(
    item: Mapping[str, Any], content_type: str, mapping: WordPressMapping, default_locale: str
) -> Entry:
    """A post object (``context=view``) as an entry; ``{"rendered": html}`` becomes the html."""
    fields: dict[str, Any] = {}
    for name, value in item.items():
        if name in SKIPPED or name.endswith("_gmt") or name in ("date", "modified"):
            continue
        if isinstance(value, Mapping) and "rendered" in value:
            value = nh3.clean(str(value["rendered"])) if name in RENDERED else value["rendered"]
        fields[name] = value
    meta = item.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    if meta.get(FEED_PIN_META) not in (None, "", 0):
        fields["feedPin"] = meta[FEED_PIN_META]
    return Entry(
        id=str(item["id"]),
        content_type=content_type,
        slug=item.get("slug") or None,
        fields=fields,
        variants=_variants(meta.get(mapping.variants_meta), item.get("id")),
        locale=str(item.get("lang") or default_locale),
        updated_at=_gmt(item.get("modified_gmt") or item.get("date_gmt")),
        source=str(item.get("link", "")),
    )


class WordPressAdapter:
    name = "wordpress"

    def __init__(
        self,
        api_root: str,
        mapping: WordPressMapping | None = None,
        default_locale: str = "en",
        client: ResilientClient | None = None,
    ):
        self.mapping = mapping or WordPressMapping()
        self.default_locale = default_locale
        self.client = client or ResilientClient(api_root.rstrip("/") + "/wp/v2/")

    def _bases(self, content_type: str | None) -> list[tuple[str, str]]:
        if content_type is None:
            return sorted(self.mapping.types.items())
        if content_type not in self.mapping.types:
            raise UnknownContentType(content_type, sorted(self.mapping.types))
        return [(content_type, self.mapping.types[content_type])]

    async def content_types(self) -> list[str]:
        return sorted(self.mapping.types)

    def _params(self, locale: str | None, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"status": "publish", "orderby": "id", "order": "asc", **extra}
        if locale:
            params["lang"] = locale
        return params

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        async def fetch(kind: str, base: str, offset: int, size: int) -> tuple[list[Entry], int]:
            params = self._params(locale, per_page=size, offset=offset)
            response = await self.client.get(base, params)
            if response is None:
                return [], 0
            items = response.json()
            entries = [post_to_entry(i, kind, self.mapping, self.default_locale) for i in items]
            return entries, int(response.headers.get("x-wp-total", 0))

        return await walk(self._bases(content_type), first, after, fetch, MAX_PER_PAGE)

    async def get_entry(self, entry_id: str) -> Entry | None:
        if not (entry_id.isascii() and entry_id.isdigit()):
            return None
        for kind, base in self._bases(None):
            item = await self.client.get_json(f"{base}/{entry_id}")
            if item and item.get("status", "publish") == "publish":
                return post_to_entry(item, kind, self.mapping, self.default_locale)
        return None

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None:
        for kind, base in self._bases(content_type):
            items = await self.client.get_json(base, self._params(locale, slug=slug, per_page=1))
            if items:
                return post_to_entry(items[0], kind, self.mapping, self.default_locale)
        return None

    async def aclose(self) -> None:
        await self.client.aclose()
