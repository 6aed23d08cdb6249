"""The Directus adapter: items of chosen collections from the REST API as Veneer entries.

``VENEER_CONTENT=directus:https://cms.example?token=STATIC_TOKEN&types=article:articles``
maps Veneer content types to collections; without ``types`` every user collection the token
may read is served under its own name. Entry ids are ``collection:primary key``, since
Directus keys are only unique within a collection. Directus has no built-in publishing; by
its convention a ``status`` field says ``published``, and only those items are read
(``&status=`` turns the filter off for collections without that workflow). Variants live in
a JSON field named ``variants``; translations from the standard ``translations`` field
(``languages_code``) are laid over the item for the asked locale.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from veneer.content_adapters.base import (
    ContentUnavailable,
    EntryPage,
    aware_datetime,
)
from veneer.content_adapters.catalog import TypeCatalog
from veneer.content_adapters.http import ResilientClient
from veneer.content_adapters.walk import walk
from veneer.entries import Entry, VariantsError, parse_variants

logger = logging.getLogger(__name__)
MAX_LIMIT = 100
SYSTEM = {"id", "status", "sort", "user_created", "user_updated", "date_created", "date_updated"}


@dataclass(frozen=True)
class DirectusMapping:
    types: dict[str, str] = field(default_factory=dict)  # content type -> collection
    status_field: str | None = "status"
    variants_field: str = "variants"


def _translated(item: Mapping[str, Any], locale: str | None) -> tuple[dict[str, Any], str | None]:
    fields = dict(item)
    translations = fields.pop("translations", None)
    if not locale or not isinstance(translations, list):
        return fields, None
    for translation in translations:
        if isinstance(translation, Mapping) and translation.get("languages_code") == locale:
            overlay = {
                k: v
                for k, v in translation.items()
                if k not in {"id", "languages_code"} and not k.endswith("_id")
            }
            return {**fields, **overlay}, locale
    return fields, None


def item_to_entry(
    item: Mapping[str, Any],
    content_type: str,
    collection: str,
    mapping: DirectusMapping,
    default_locale: str,
    locale: str | None = None,
) -> Entry:
    fields, found_locale = _translated(item, locale)
    raw_variants = fields.pop(mapping.variants_field, None)
    try:
        variants = parse_variants(raw_variants or None)
    except VariantsError as exc:
        logger.warning(
            "Directus item %s/%s: ignoring its variants: %s", collection, item["id"], exc
        )
        variants = ()
    slug = fields.get("slug")
    return Entry(
        id=f"{collection}:{item['id']}",
        content_type=content_type,
        slug=slug if isinstance(slug, str) else None,
        fields={k: v for k, v in fields.items() if k not in SYSTEM},
        variants=variants,
        locale=found_locale or default_locale,
        updated_at=aware_datetime(item.get("date_updated") or item.get("date_created")),
        source=f"directus:{collection}/{item['id']}",
    )


class DirectusAdapter:
    name = "directus"

    def __init__(
        self,
        base_url: str,
        token: str,
        mapping: DirectusMapping | None = None,
        default_locale: str = "en",
        client: ResilientClient | None = None,
    ):
        self.mapping = mapping or DirectusMapping()
        self.default_locale = default_locale
        self.client = client or ResilientClient(
            base_url.rstrip("/") + "/", headers={"Authorization": f"Bearer {token}"}
        )
        self.catalog = TypeCatalog(
            self.mapping.types,
            self._discover,
            "Directus refused to list collections: let the token's role read "
            "directus_collections, or name the types in VENEER_CONTENT "
            "(directus:http://host?token=...&types=article:articles)",
        )

    async def _discover(self) -> dict[str, str]:
        listing = await self.client.get_json("collections") or {}
        return {
            str(c["collection"]): str(c["collection"])
            for c in listing.get("data", [])
            if not str(c["collection"]).startswith("directus_") and c.get("schema")
        }

    async def content_types(self) -> list[str]:
        return await self.catalog.names()

    def _params(self, filters: dict[str, Any], **extra: Any) -> dict[str, Any]:
        if self.mapping.status_field:
            filters = {self.mapping.status_field: {"_eq": "published"}, **filters}
        params: dict[str, Any] = {"fields": "*.*", "sort": "id", **extra}
        if filters:
            params["filter"] = orjson.dumps(filters).decode()
        return params

    async def _items(
        self, collection: str, filters: dict[str, Any], **extra: Any
    ) -> tuple[list[Any], int]:
        listing = await self.client.get_json(f"items/{collection}", self._params(filters, **extra))
        listing = listing or {}
        total = int((listing.get("meta") or {}).get("filter_count") or 0)
        return list(listing.get("data") or []), total

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        async def fetch(
            kind: str, collection: str, offset: int, size: int
        ) -> tuple[list[Entry], int]:
            items, total = await self._items(
                collection, {}, limit=size, offset=offset, meta="filter_count"
            )
            entries = [
                item_to_entry(i, kind, collection, self.mapping, self.default_locale, locale)
                for i in items
            ]
            return entries, total

        return await walk(await self.catalog.pick(content_type), first, after, fetch, MAX_LIMIT)

    async def get_entry(self, entry_id: str) -> Entry | None:
        collection, _, key = entry_id.partition(":")
        kinds = [k for k, c in await self.catalog.pick(None) if c == collection]
        if not kinds or not key:
            return None
        # Directus answers 403, not 404, for a key that does not exist; a filter says "none".
        items, _ = await self._items(collection, {"id": {"_eq": key}}, limit=1)
        return (
            item_to_entry(items[0], kinds[0], collection, self.mapping, self.default_locale)
            if items
            else None
        )

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None:
        for kind, collection in await self.catalog.pick(content_type):
            try:
                items, _ = await self._items(collection, {"slug": {"_eq": slug}}, limit=1)
            except ContentUnavailable as exc:
                if content_type is None and "HTTP 403" in str(exc):
                    continue  # Directus's answer for a collection without a slug field
                raise
            if items:
                return item_to_entry(
                    items[0], kind, collection, self.mapping, self.default_locale, locale
                )
        return None

    async def aclose(self) -> None:
        await self.client.aclose()
