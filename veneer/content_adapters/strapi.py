"""The Strapi 5 adapter: published documents from the REST API as Veneer entries.

``VENEER_CONTENT=strapi:http://cms.example:1337?token=API_TOKEN&types=article:articles``
maps Veneer content types to Strapi's plural API ids; without ``types`` the collection types
are read from the content-type builder (the token then needs its ``getContentTypes``
permission). An entry's id is Strapi's ``documentId``, stable across drafts, publishes and
locales. Variants are the repeatable ``veneer.variant`` component that
``veneer plugin install strapi`` adds, in a ``variants`` attribute. Only published documents
are read (``status=published``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
MAX_PAGE_SIZE = 100  # Strapi's default rest.maxLimit
SYSTEM = {"id", "documentId", "createdAt", "updatedAt", "publishedAt", "locale", "localizations"}
ORDER = {"sort[0]": "createdAt:asc", "sort[1]": "documentId:asc"}


@dataclass(frozen=True)
class StrapiMapping:
    """Which plural API id is which Veneer content type, and where variants live."""

    types: dict[str, str] = field(default_factory=dict)  # content type -> plural API id
    variants_field: str = "variants"


def variants_from_components(raw: object) -> list[dict[str, Any]]:
    """The ``veneer.variant`` components in the shape `parse_variants` reads.

    Editors type the audience as segment keys separated by commas, which Strapi's admin
    handles better than a JSON list.
    """
    if not isinstance(raw, list):
        return []
    variants = []
    for component in raw:
        if not isinstance(component, Mapping):
            continue
        audience = component.get("audience") or ""
        if isinstance(audience, str):
            audience = [key.strip() for key in audience.split(",") if key.strip()]
        variant: dict[str, Any] = {
            "id": component.get("key") or f"variant-{component.get('id')}",
            "audience": audience,
            "priority": component.get("priority") or 0,
            "fields": component.get("fields") or {},
        }
        for optional in ("experiment", "start", "end"):
            if component.get(optional):
                variant[optional] = component[optional]
        variants.append(variant)
    return variants


def document_to_entry(
    item: Mapping[str, Any], content_type: str, mapping: StrapiMapping, default_locale: str
) -> Entry:
    try:
        variants = parse_variants(variants_from_components(item.get(mapping.variants_field)))
    except VariantsError as exc:  # a half-edited variant must not take the document down
        logger.warning("Strapi document %s: ignoring its variants: %s", item.get("documentId"), exc)
        variants = ()
    slug = item.get("slug")
    return Entry(
        id=str(item["documentId"]),
        content_type=content_type,
        slug=slug if isinstance(slug, str) else None,
        fields={k: v for k, v in item.items() if k not in SYSTEM | {mapping.variants_field}},
        variants=variants,
        locale=item.get("locale") or default_locale,
        updated_at=aware_datetime(item.get("updatedAt")),
        source=f"strapi:{content_type}/{item['documentId']}",
    )


class StrapiAdapter:
    name = "strapi"

    def __init__(
        self,
        base_url: str,
        token: str,
        mapping: StrapiMapping | None = None,
        default_locale: str = "en",
        client: ResilientClient | None = None,
    ):
        self.mapping = mapping or StrapiMapping()
        self.default_locale = default_locale
        self.client = client or ResilientClient(
            base_url.rstrip("/") + "/api/", headers={"Authorization": f"Bearer {token}"}
        )
        self.catalog = TypeCatalog(
            self.mapping.types,
            self._discover,
            "Strapi refused to list content types: give the token the content-type "
            "builder's getContentTypes permission, or name the types in VENEER_CONTENT "
            "(strapi:http://host?token=...&types=article:articles)",
        )

    async def _discover(self) -> dict[str, str]:
        listing = await self.client.get_json("content-type-builder/content-types")
        return {
            str(t["schema"]["singularName"]): str(t["schema"]["pluralName"])
            for t in (listing or {}).get("data", [])
            if str(t.get("uid", "")).startswith("api::")
            and t.get("schema", {}).get("kind") == "collectionType"
        }

    async def content_types(self) -> list[str]:
        return await self.catalog.names()

    def _params(self, locale: str | None, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "status": "published",
            f"populate[{self.mapping.variants_field}]": "*",
        }
        params.update(ORDER)
        if locale:
            params["locale"] = locale
        params.update(extra)
        return params

    async def _page(
        self, content_type: str, base: str, offset: int, size: int, locale: str | None
    ) -> tuple[list[Entry], int]:
        """Page-number pagination when the offset falls on a page; offset pagination if not."""
        paging: dict[str, Any]
        if offset % size == 0:
            paging = {"pagination[page]": offset // size + 1, "pagination[pageSize]": size}
        else:
            paging = {"pagination[start]": offset, "pagination[limit]": size}
        listing = await self.client.get_json(base, self._params(locale, **paging)) or {}
        total = int(((listing.get("meta") or {}).get("pagination") or {}).get("total", 0))
        items = listing.get("data") or []
        entries = [
            document_to_entry(i, content_type, self.mapping, self.default_locale) for i in items
        ]
        return entries, total

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        async def fetch(kind: str, base: str, offset: int, size: int) -> tuple[list[Entry], int]:
            return await self._page(kind, base, offset, size, locale)

        return await walk(await self.catalog.pick(content_type), first, after, fetch, MAX_PAGE_SIZE)

    async def get_entry(self, entry_id: str) -> Entry | None:
        if not (entry_id.isascii() and entry_id.isalnum()):
            return None  # documentIds are lowercase letters and digits
        for kind, base in await self.catalog.pick(None):
            found = await self.client.get_json(f"{base}/{entry_id}", self._params(None))
            if found and found.get("data"):
                return document_to_entry(found["data"], kind, self.mapping, self.default_locale)
        return None

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None:
        for kind, base in await self.catalog.pick(content_type):
            params = self._params(locale, **{"filters[slug][$eq]": slug})
            params["pagination[pageSize]"] = 1
            try:
                listing = await self.client.get_json(base, params) or {}
            except ContentUnavailable as exc:
                if "HTTP 400" in str(exc):
                    continue  # this type has no slug attribute
                raise
            if listing.get("data"):
                return document_to_entry(
                    listing["data"][0], kind, self.mapping, self.default_locale
                )
        return None

    async def aclose(self) -> None:
        await self.client.aclose()
