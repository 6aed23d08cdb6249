"""The Wagtail adapter: pages through Wagtail's read API (v2) as Veneer entries.

``VENEER_CONTENT=wagtail:http://cms.example/api/v2/?types=article:blog.ArticlePage,...``
names which page models are which content types; without ``types``, every page is served
and its content type is its model name (``ProductPage`` -> ``product``). Variants come from
the page's ``variants`` field as `veneer.plugin.wagtail` stores it. Wagtail pages by offset;
Veneer's cursor for a page is the offset after it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from veneer.content_adapters.base import (
    ContentError,
    EntryPage,
    InvalidCursor,
    UnknownContentType,
    aware_datetime,
)
from veneer.content_adapters.http import ResilientClient
from veneer.entries import Entry, VariantsError, parse_variants

logger = logging.getLogger(__name__)
RESERVED = {"id", "meta", "variants"}
DEFAULT_LIMIT_MAX = 20  # Wagtail's WAGTAILAPI_LIMIT_MAX default


@dataclass(frozen=True)
class WagtailMapping:
    """Which Wagtail page model is which Veneer content type, and where variants live."""

    types: dict[str, str] = field(default_factory=dict)  # content type -> "app.Model"
    variants_field: str = "variants"

    def content_type_of(self, model: str) -> str:
        for content_type, wagtail_type in self.types.items():
            if wagtail_type == model:
                return content_type
        name = model.rsplit(".", 1)[-1].lower()
        return name.removesuffix("page") or name


def variants_from_stream(raw: object) -> list[dict[str, Any]]:
    """`veneer.plugin.wagtail`'s StreamField JSON in the shape `parse_variants` reads."""
    if not isinstance(raw, list):
        return []
    variants = []
    for block in raw:
        value = block.get("value") if isinstance(block, Mapping) else None
        if not isinstance(value, Mapping) or block.get("type") != "variant":
            continue
        overrides = {
            o["field"]: o["value"]
            for o in value.get("overrides") or []
            if isinstance(o, Mapping) and o.get("field")
        }
        variant: dict[str, Any] = {
            "id": value.get("id"),
            "audience": value.get("audience") or [],
            "priority": value.get("priority") or 0,
            "fields": overrides,
        }
        if value.get("experiment"):
            variant["experiment"] = value["experiment"]
        for bound in ("start", "end"):
            if value.get(bound):
                variant[bound] = aware_datetime(value[bound])
        variants.append(variant)
    return variants


def page_to_entry(item: Mapping[str, Any], mapping: WagtailMapping, default_locale: str) -> Entry:
    meta = item.get("meta") or {}
    try:
        variants = parse_variants(variants_from_stream(item.get(mapping.variants_field)))
    except VariantsError as exc:  # a half-edited variant must not take the page down
        logger.warning("Wagtail page %s: ignoring its variants: %s", item.get("id"), exc)
        variants = ()
    return Entry(
        id=str(item["id"]),
        content_type=mapping.content_type_of(str(meta.get("type", "wagtailcore.Page"))),
        slug=meta.get("slug"),
        fields={k: v for k, v in item.items() if k not in RESERVED | {mapping.variants_field}},
        variants=variants,
        locale=meta.get("locale") or default_locale,
        updated_at=aware_datetime(meta.get("last_published_at") or meta.get("first_published_at")),
        source=str(meta.get("detail_url", "")),
    )


class WagtailAdapter:
    name = "wagtail"

    def __init__(
        self,
        api_url: str,
        mapping: WagtailMapping | None = None,
        default_locale: str = "en",
        limit_max: int = DEFAULT_LIMIT_MAX,
        client: ResilientClient | None = None,
    ):
        self.mapping = mapping or WagtailMapping()
        self.default_locale = default_locale
        self.limit_max = limit_max
        self.client = client or ResilientClient(api_url.rstrip("/") + "/")

    def _type_param(self, content_type: str | None) -> dict[str, str]:
        if content_type is None:
            return {}
        if not self.mapping.types:
            raise ContentError(
                "filtering by content type needs the page models named in VENEER_CONTENT, "
                "e.g. wagtail:http://cms/api/v2/?types=product:shop.ProductPage",
                field="contentType",
            )
        if content_type not in self.mapping.types:
            raise UnknownContentType(content_type, sorted(self.mapping.types))
        return {"type": self.mapping.types[content_type]}

    async def content_types(self) -> list[str]:
        if self.mapping.types:
            return sorted(self.mapping.types)
        listing = await self.client.get_json("pages/", {"limit": self.limit_max})
        models = {item["meta"]["type"] for item in (listing or {}).get("items", [])}
        return sorted({self.mapping.content_type_of(m) for m in models})

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        offset = 0
        if after is not None:
            if not (after.isascii() and after.isdigit()):
                raise InvalidCursor()
            offset = int(after)
        limit = min(first, self.limit_max)
        params: dict[str, Any] = {"fields": "*", "limit": limit, "offset": offset}
        params.update(self._type_param(content_type))
        if locale:
            params["locale"] = locale
        listing = await self.client.get_json("pages/", params) or {}
        items = listing.get("items", [])
        entries = tuple(page_to_entry(i, self.mapping, self.default_locale) for i in items)
        total = int(listing.get("meta", {}).get("total_count", 0))
        return EntryPage(
            entries=entries,
            cursors=tuple(str(offset + i + 1) for i in range(len(entries))),
            has_next_page=offset + len(entries) < total,
        )

    async def get_entry(self, entry_id: str) -> Entry | None:
        if not (entry_id.isascii() and entry_id.isdigit()):
            return None
        item = await self.client.get_json(f"pages/{entry_id}/")
        return page_to_entry(item, self.mapping, self.default_locale) if item else None

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None:
        params: dict[str, Any] = {"fields": "*", "slug": slug, "limit": 1}
        params.update(self._type_param(content_type))
        if locale:
            params["locale"] = locale
        listing = await self.client.get_json("pages/", params) or {}
        items = listing.get("items", [])
        return page_to_entry(items[0], self.mapping, self.default_locale) if items else None

    async def aclose(self) -> None:
        await self.client.aclose()
