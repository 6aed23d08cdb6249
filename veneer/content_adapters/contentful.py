"""The Contentful adapter: the Content Delivery API (CDA) as Veneer entries.

``VENEER_CONTENT=contentful:https://cdn.contentful.com/spaces/SPACE/environments/master?token=...``
Content types are Contentful's content type ids; an entry's ``slug`` field, if present, is its
slug; editors keep variants in a JSON field named ``variants`` (the shape of
`veneer.entries.Variant`). Contentful pages with ``skip``/``limit``; Veneer's cursor is the
skip after the entry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from veneer.content_adapters.base import (
    EntryPage,
    InvalidCursor,
    UnknownContentType,
    aware_datetime,
)
from veneer.content_adapters.http import ResilientClient
from veneer.entries import Entry, VariantsError, parse_variants

logger = logging.getLogger(__name__)
MAX_LIMIT = 1000  # the CDA's own ceiling


def item_to_entry(
    item: Mapping[str, Any], default_locale: str, variants_field: str = "variants"
) -> Entry:
    sys = item.get("sys") or {}
    fields = dict(item.get("fields") or {})
    raw_variants = fields.pop(variants_field, None)
    try:
        variants = parse_variants(raw_variants)
    except VariantsError as exc:
        logger.warning("Contentful entry %s: ignoring its variants: %s", sys.get("id"), exc)
        variants = ()
    slug = fields.get("slug")
    return Entry(
        id=str(sys["id"]),
        content_type=str(((sys.get("contentType") or {}).get("sys") or {}).get("id", "")),
        slug=slug if isinstance(slug, str) else None,
        fields=fields,
        variants=variants,
        locale=sys.get("locale") or default_locale,
        updated_at=aware_datetime(sys.get("updatedAt")),
        source=f"contentful:{sys.get('id')}",
    )


class ContentfulAdapter:
    name = "contentful"

    def __init__(
        self,
        environment_url: str,
        token: str,
        default_locale: str = "en",
        variants_field: str = "variants",
        client: ResilientClient | None = None,
    ):
        self.default_locale = default_locale
        self.variants_field = variants_field
        self.client = client or ResilientClient(
            environment_url.rstrip("/") + "/", headers={"Authorization": f"Bearer {token}"}
        )

    async def content_types(self) -> list[str]:
        listing = await self.client.get_json("content_types", {"limit": MAX_LIMIT}) or {}
        return sorted(str(t["sys"]["id"]) for t in listing.get("items", []))

    async def _check_type(self, content_type: str | None) -> None:
        if content_type is not None:
            known = await self.content_types()
            if content_type not in known:
                raise UnknownContentType(content_type, known)

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        skip = 0
        if after is not None:
            if not (after.isascii() and after.isdigit()):
                raise InvalidCursor()
            skip = int(after)
        await self._check_type(content_type)
        params: dict[str, Any] = {"limit": min(first, MAX_LIMIT), "skip": skip, "order": "sys.id"}
        if content_type is not None:
            params["content_type"] = content_type
        if locale:
            params["locale"] = locale
        listing = await self.client.get_json("entries", params) or {}
        entries = tuple(
            item_to_entry(i, self.default_locale, self.variants_field)
            for i in listing.get("items", [])
        )
        return EntryPage(
            entries=entries,
            cursors=tuple(str(skip + i + 1) for i in range(len(entries))),
            has_next_page=skip + len(entries) < int(listing.get("total", 0)),
        )

    async def get_entry(self, entry_id: str) -> Entry | None:
        item = await self.client.get_json(f"entries/{entry_id}")
        return item_to_entry(item, self.default_locale, self.variants_field) if item else None

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None:
        if content_type is None:
            return None  # the CDA filters on fields only within one content type
        await self._check_type(content_type)
        params: dict[str, Any] = {"content_type": content_type, "fields.slug": slug, "limit": 1}
        if locale:
            params["locale"] = locale
        listing = await self.client.get_json("entries", params) or {}
        items = listing.get("items", [])
        return item_to_entry(items[0], self.default_locale, self.variants_field) if items else None

    async def aclose(self) -> None:
        await self.client.aclose()
