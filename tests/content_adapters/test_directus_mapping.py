"""How a Directus item (with the standard translations field) becomes an entry."""

from __future__ import annotations

from veneer.content_adapters.directus import DirectusMapping, item_to_entry

ITEM = {
    "id": 3,
    "status": "published",
    "title": "Trail notes",
    "slug": "trail-notes",
    "date_updated": "2026-11-02T09:30:00.000Z",
    "translations": [
        {"id": 9, "articles_id": 3, "languages_code": "fr", "title": "Notes de sentier"},
    ],
}


def test_the_asked_locale_is_laid_over_the_item() -> None:
    french = item_to_entry(ITEM, "article", "articles", DirectusMapping(), "en", "fr")
    english = item_to_entry(ITEM, "article", "articles", DirectusMapping(), "en", None)
    german = item_to_entry(ITEM, "article", "articles", DirectusMapping(), "en", "de")
    assert (french.fields["title"], french.locale, french.slug) == (
        "Notes de sentier",
        "fr",
        "trail-notes",
    )
    assert "articles_id" not in french.fields and "translations" not in french.fields
    assert (english.fields["title"], english.locale) == ("Trail notes", "en")
    assert (german.fields["title"], german.locale) == ("Trail notes", "en"), "no German: base"
    assert french.id == "articles:3" and "status" not in french.fields
    assert french.updated_at is not None and french.updated_at.tzinfo is not None


def test_broken_variants_are_dropped_not_fatal() -> None:
    item = {**ITEM, "variants": [{"id": "v"}]}
    assert item_to_entry(item, "article", "articles", DirectusMapping(), "en").variants == ()
