"""The Wagtail adapter: pages through Wagtail's read API (v2) as Veneer entries.

``VENEER_CONTENT=wagtail:http://cms.example/api/v2/`` serves every page model that has live
pages, each as the content type named after it (``kitchen.RecipePage`` -> ``recipe``): the
models are discovered from the pages' ``meta.type``, once. ``?types=article:blog.ArticlePage``
names the models instead, to serve only those or to rename them.

Wagtail lists a page's own API fields only when the listing is filtered to its model
(``type=`` with ``fields=*``), so every listing is read one model at a time, and a lookup that
cannot name the model reads the page's detail. Variants come from the page's ``variants``
field as `veneer.plugin.wagtail` stores it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from veneer.content_adapters.base import ContentUnavailable, EntryPage, aware_datetime
from veneer.content_adapters.catalog import TypeCatalog
from veneer.content_adapters.http import ResilientClient
from veneer.content_adapters.walk import walk
from veneer.entries import Entry, VariantsError, parse_variants

logger = logging.getLogger(__name__)
RESERVED = {"id", "meta", "variants"}
DEFAULT_LIMIT_MAX = 20  # Wagtail's WAGTAILAPI_LIMIT_MAX default
REDISCOVER_AFTER = 300.0  # seconds; a page model published since may be asked for
# A plain Page has nothing but a title (a site's root, a placeholder home page), and Wagtail's
# type=wagtailcore.Page lists every page of every model: not discovered, only served if named.
PLAIN_PAGE = "wagtailcore.Page"


@dataclass(frozen=True)
class WagtailMapping:
    """Which Wagtail page model is which Veneer content type, and where variants live."""

    types: dict[str, str] = field(default_factory=dict)  # content type -> "app.Model"
    variants_field: str = "variants"

    def content_type_of(self, model: str) -> str:
        for content_type, wagtail_type in self.types.items():
            if wagtail_type == model:
                return content_type
        return _short_name(model)


def _short_name(model: str) -> str:
    name = model.rsplit(".", 1)[-1].lower()
    return name.removesuffix("page") or name


def content_types_of(models: Iterable[str]) -> dict[str, str]:
    """Discovered page models by content type: ``shop.ProductPage`` is ``product``.

    Two apps' models with one name (``blog.ArticlePage``, ``news.ArticlePage``) are told apart
    by their app: ``blog_article`` and ``news_article``.
    """
    named: dict[str, list[str]] = {}
    for model in sorted(models):
        named.setdefault(_short_name(model), []).append(model)
    types: dict[str, str] = {}
    for name, same in named.items():
        for model in same:
            app = model.split(".", 1)[0].lower()
            types[name if len(same) == 1 else f"{app}_{name}"] = model
    return types


def model_of(item: Mapping[str, Any]) -> str:
    return str((item.get("meta") or {}).get("type", PLAIN_PAGE))


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


def page_to_entry(
    item: Mapping[str, Any],
    mapping: WagtailMapping,
    default_locale: str,
    content_type: str | None = None,
) -> Entry:
    meta = item.get("meta") or {}
    try:
        variants = parse_variants(variants_from_stream(item.get(mapping.variants_field)))
    except VariantsError as exc:  # a half-edited variant must not take the page down
        logger.warning("Wagtail page %s: ignoring its variants: %s", item.get("id"), exc)
        variants = ()
    return Entry(
        id=str(item["id"]),
        content_type=content_type or mapping.content_type_of(model_of(item)),
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
        rediscover_after: float = REDISCOVER_AFTER,
    ):
        self.mapping = mapping or WagtailMapping()
        self.default_locale = default_locale
        self.limit_max = limit_max
        self.client = client or ResilientClient(api_url.rstrip("/") + "/")
        self.catalog = TypeCatalog(
            self.mapping.types,
            self._discover,
            "Wagtail refused to list its pages: name the page models in VENEER_CONTENT, "
            "e.g. wagtail:http://cms/api/v2/?types=product:shop.ProductPage",
            rediscover_after=rediscover_after,
        )

    async def _discover(self) -> dict[str, str]:
        """Every page model with a live page, from one walk over the pages asking only types.

        Wagtail's API has no list of models, so this is one small request per
        ``limit_max`` pages; it is done once (see `TypeCatalog`), not per request.
        """
        models: set[str] = set()
        offset = 0
        while True:
            params = {"fields": "_,type", "limit": self.limit_max, "offset": offset}
            listing = await self.client.get_json("pages/", params) or {}
            items = listing.get("items") or []
            models.update(model_of(item) for item in items)
            offset += len(items)
            if not items or offset >= total_count(listing):
                break
        models.discard(PLAIN_PAGE)
        return content_types_of(models)

    def _entry(self, item: Mapping[str, Any], content_type: str) -> Entry:
        return page_to_entry(item, self.mapping, self.default_locale, content_type)

    async def content_types(self) -> list[str]:
        return await self.catalog.names()

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        async def fetch(
            kind: str, model: str, offset: int, size: int
        ) -> tuple[list[Entry | None], int]:
            params: dict[str, Any] = {"type": model, "fields": "*", "limit": size, "offset": offset}
            if locale:
                params["locale"] = locale
            listing = await self.client.get_json("pages/", params) or {}
            found = [  # a subclassed model's pages are listed under their own type
                self._entry(item, kind) if model_of(item) == model else None
                for item in listing.get("items") or []
            ]
            return found, total_count(listing)

        types = await self.catalog.pick(content_type)
        return await walk(types, first, after, fetch, self.limit_max)

    async def get_entry(self, entry_id: str) -> Entry | None:
        if not (entry_id.isascii() and entry_id.isdigit()):
            return None
        item = await self.client.get_json(f"pages/{entry_id}/")
        kind = await self._served_as(model_of(item)) if item else None
        return self._entry(item, kind) if item and kind else None

    async def _served_as(self, model: str) -> str | None:
        """The content type a page model is served as; None if it is not served."""
        if model == PLAIN_PAGE and not self.mapping.types:
            return None  # never discovered: no reason to ask Wagtail again
        return await self.catalog.type_of(model)

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None:
        params: dict[str, Any] = {"slug": slug, "limit": self.limit_max}
        if locale:
            params["locale"] = locale
        if content_type is not None:
            ((kind, model),) = await self.catalog.pick(content_type)
            params.update({"type": model, "fields": "*"})
            listing = await self.client.get_json("pages/", params) or {}
            for item in listing.get("items") or []:
                if model_of(item) == model:
                    return self._entry(item, kind)
            return None
        # Without a model to filter by, the listing has only the base fields: read the detail.
        listing = await self.client.get_json("pages/", params) or {}
        for item in listing.get("items") or []:
            served_as = await self._served_as(model_of(item))
            if served_as is not None:
                detail = await self.client.get_json(f"pages/{item['id']}/")
                return self._entry(detail, served_as) if detail else None
        return None

    async def aclose(self) -> None:
        await self.client.aclose()


def total_count(listing: Mapping[str, Any]) -> int:
    """``meta.total_count`` of a listing; anything but a count means the API is not Wagtail's."""
    total = (listing.get("meta") or {}).get("total_count", 0)
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ContentUnavailable(
            f"Wagtail's listing has no page count (meta.total_count {total!r})"
        )
    return total
