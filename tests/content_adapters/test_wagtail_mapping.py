"""Turning Wagtail API pages into entries, without a server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veneer.content_adapters.base import ContentUnavailable
from veneer.content_adapters.wagtail import (
    WagtailMapping,
    content_types_of,
    page_to_entry,
    total_count,
)

PAGE = {
    "id": 7,
    "meta": {
        "type": "shop.ProductPage",
        "slug": "tent",
        "locale": "fr",
        "first_published_at": "2026-10-01T10:00:00Z",
        "last_published_at": "2026-11-01T10:00:00Z",
    },
    "title": "Tente",
    "variants": [
        {
            "type": "variant",
            "value": {
                "id": "v-1",
                "audience": ["campers"],
                "priority": 3,
                "overrides": [{"field": "title", "value": "Tente pour campeurs"}],
                "experiment": "",
                "start": "2026-11-01T00:00:00",
                "end": None,
            },
        },
        {"type": "something_else", "value": {}},
    ],
}


def test_a_page_maps_to_an_entry() -> None:
    entry = page_to_entry(PAGE, WagtailMapping(), "en")
    assert (entry.id, entry.content_type, entry.slug, entry.locale) == (
        "7",
        "product",
        "tent",
        "fr",
    )
    assert entry.updated_at == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert entry.fields == {"title": "Tente"}
    (variant,) = entry.variants
    assert variant.fields == {"title": "Tente pour campeurs"}
    assert variant.start == datetime(2026, 11, 1, tzinfo=UTC), "naive times are UTC"
    assert variant.experiment is None


def test_the_mapping_names_content_types() -> None:
    mapping = WagtailMapping(types={"gear": "shop.ProductPage"})
    assert page_to_entry(PAGE, mapping, "en").content_type == "gear"
    assert WagtailMapping().content_type_of("blog.BlogIndexPage") == "blogindex"
    assert WagtailMapping().content_type_of("wagtailcore.Page") == "page"


def test_a_half_edited_variant_falls_back_to_the_baseline() -> None:
    broken = {**PAGE, "variants": [{"type": "variant", "value": {"id": "", "audience": []}}]}
    entry = page_to_entry(broken, WagtailMapping(), "en")
    assert entry.variants == ()
    assert entry.fields["title"] == "Tente"


def test_discovered_models_are_named_after_themselves() -> None:
    found = content_types_of({"shop.ProductPage", "kitchen.RecipePage", "blog.BlogIndexPage"})
    assert found == {
        "product": "shop.ProductPage",
        "recipe": "kitchen.RecipePage",
        "blogindex": "blog.BlogIndexPage",
    }


def test_two_apps_models_of_one_name_are_told_apart_by_their_app() -> None:
    found = content_types_of({"blog.ArticlePage", "news.ArticlePage", "shop.ProductPage"})
    assert found == {
        "blog_article": "blog.ArticlePage",
        "news_article": "news.ArticlePage",
        "product": "shop.ProductPage",
    }


def test_the_adapter_may_say_which_type_a_page_is_served_as() -> None:
    assert page_to_entry(PAGE, WagtailMapping(), "en", "gear").content_type == "gear"


def test_a_listing_with_its_page_count_gives_it() -> None:
    assert total_count({"meta": {"total_count": 41}, "items": []}) == 41


@pytest.mark.parametrize(
    "meta", [{"total_count": "41"}, {"total_count": None}, {"total_count": -1}]
)
def test_a_listing_without_a_page_count_is_the_cms_unavailable_not_a_crash(meta: object) -> None:
    with pytest.raises(ContentUnavailable, match="total_count"):
        total_count({"meta": meta})
