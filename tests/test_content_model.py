"""Inferring the content model from entries, and the GraphQL names it gets."""

from __future__ import annotations

from typing import Any

from veneer.content_model import FieldKind, camel, infer_model, pascal, plural
from veneer.entries import Entry, parse_variants


def _entry(content_type: str, n: int, variants: Any = None, **fields: Any) -> Entry:
    return Entry(
        id=f"{content_type}-{n}",
        content_type=content_type,
        slug=None,
        fields=fields,
        variants=parse_variants(variants),
    )


def _kinds(model: Any, content_type: str) -> dict[str, FieldKind]:
    (found,) = [t for t in model.types if t.content_type == content_type]
    return {f.graphql_name: f.kind for f in found.fields}


def test_kinds_are_what_every_value_agrees_on() -> None:
    model = infer_model(
        [
            _entry("product", 1, title="Tent", price=10, tags=["a"], stock=True, dims={"w": 1}),
            _entry("product", 2, title="Pack", price=12.5, tags=[], stock=False, extra=None),
            _entry("product", 3, title=7, price=3_000_000_000),
        ]
    )
    assert _kinds(model, "product") == {
        "title": FieldKind.JSON,  # a string once, a number once: no single type fits
        "price": FieldKind.FLOAT,  # ints and floats together; and past 32 bits
        "tags": FieldKind.STRING_LIST,
        "stock": FieldKind.BOOLEAN,
        "dims": FieldKind.JSON,
    }, "never-set fields (extra) have no kind to give"


def test_variant_overrides_count_as_values() -> None:
    variants = [{"id": "v", "audience": ["x"], "fields": {"badge": "New", "price": "free"}}]
    model = infer_model([_entry("product", 1, variants, price=10)])
    assert _kinds(model, "product") == {"badge": FieldKind.STRING, "price": FieldKind.JSON}


def test_names_follow_graphql_conventions() -> None:
    assert (camel("in-stock"), camel("hero_image_alt"), camel("readingMinutes")) == (
        "inStock",
        "heroImageAlt",
        "readingMinutes",
    )
    assert (pascal("blog-post"), plural("category"), plural("box"), plural("day")) == (
        "BlogPost",
        "categories",
        "boxes",
        "days",
    )
    assert (plural("class"), plural("news")) == ("classes", "news")
    model = infer_model([_entry("blog-post", 1, **{"in-stock": 1}), _entry("news", 1, a=1)])
    roots = [(t.type_name, t.single_field, t.list_field) for t in model.types]
    assert roots == [("BlogPost", "blogPost", "blogPosts"), ("News", "news", "newsList")]
    assert _kinds(model, "blog-post") == {"inStock": FieldKind.INT}


def test_what_cannot_be_named_is_skipped_with_a_reason() -> None:
    model = infer_model(
        [
            _entry("entry", 1, a=1),
            _entry("viewer", 1, a=1),
            _entry("42things", 1, a=1),
            _entry("recipe", 1, id="x", slug="y", **{"9lives": 1, "ok_field": 2, "okField": 3}),
        ],
        taken_fields=frozenset({"entries", "entry", "viewer"}),
        taken_types=frozenset({"Entry", "Viewer"}),
    )
    assert [t.content_type for t in model.types] == ["recipe"]
    assert _kinds(model, "recipe") == {"okField": FieldKind.INT}
    reasons = " | ".join(model.skipped)
    assert "content type 'entry': Entry, entries, entry is taken" in reasons
    assert "content type '42things': not a usable GraphQL name" in reasons
    assert "recipe.id: use field(name: 'id') instead" in reasons
    assert "recipe.9lives" in reasons and "recipe.ok_field: okField is taken" in reasons
