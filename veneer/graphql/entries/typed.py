"""GraphQL types and root fields generated from the content model.

For a ``product`` content type with ``title`` and ``price``, this adds ``type Product
implements Entry`` (every `Entry` field plus ``title: String`` and ``price: Float``),
``products(first, after, locale)`` and ``product(id, slug, locale)``, so frontend developers
get typed queries and completion in GraphiQL. `entries` and `entry` serve the same entries as
`Product` too, so a client cache holds one record per entry. Values are the personalized
ones: the chosen variant's overrides come first, as with ``field(name:)``.
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from strawberry.scalars import JSON

from veneer.content_model import ContentModel, ContentTypeModel, FieldKind, ModelField, fits
from veneer.graphql.context import Info
from veneer.graphql.entries.queries import fetch_page, find_entry
from veneer.graphql.entries.types import Entry
from veneer.graphql.pagination import PageInfo
from veneer.variants.choice import merged_fields

logger = logging.getLogger(__name__)
PYTHON_TYPES: dict[FieldKind, Any] = {
    FieldKind.STRING: str | None,
    FieldKind.INT: int | None,
    FieldKind.FLOAT: float | None,
    FieldKind.BOOLEAN: bool | None,
    FieldKind.STRING_LIST: list[str] | None,
    FieldKind.JSON: JSON | None,
}


def _field(model: ContentTypeModel, spec: ModelField) -> Any:
    def resolve(root: Entry, info: Info) -> Any:
        entry = root.entry
        value = merged_fields(entry, root.shown(info.context)).get(spec.name)
        if value is None:
            return None
        if not fits(spec.kind, value):  # say so rather than fail the whole query
            logger.warning(
                "%s %s: %s is not %s; served as null",
                model.content_type,
                entry.id,
                spec.name,
                spec.kind.value,
            )
            return None
        return JSON(value) if spec.kind is FieldKind.JSON else value

    resolve.__annotations__ = {"root": Entry, "info": Info, "return": PYTHON_TYPES[spec.kind]}
    return strawberry.field(
        resolver=resolve,
        name=spec.graphql_name,
        description=f"The {spec.name!r} field, as personalized for the viewer.",
    )


def _entry_type(model: ContentTypeModel) -> type[Entry]:
    namespace: dict[str, Any] = {"__annotations__": {}, "typed_for": model.content_type}
    for number, spec in enumerate(model.fields):
        namespace[f"field_{number}"] = _field(model, spec)
    cls = type(model.type_name, (Entry,), namespace)
    described = f"A {model.content_type!r} entry, with the variant chosen for the viewer."
    return strawberry.type(cls, description=described)


def _root_fields(model: ContentTypeModel) -> dict[str, Any]:
    node = _entry_type(model)
    edge = strawberry.type(
        type(f"{model.type_name}Edge", (), {"__annotations__": {"cursor": str, "node": node}})
    )
    connection = strawberry.type(
        type(
            f"{model.type_name}Connection",
            (),
            {"__annotations__": {"edges": list[edge], "page_info": PageInfo}},  # type: ignore[valid-type]
        )
    )

    async def listing(
        self: Any, info: Info, first: int = 20, after: str | None = None, locale: str | None = None
    ) -> Any:
        pairs, page_info = await fetch_page(info, model.content_type, first, after, locale)
        edges = [edge(cursor=c, node=node.from_domain(e)) for c, e in pairs]
        return connection(edges=edges, page_info=page_info)

    async def single(
        self: Any,
        info: Info,
        id: strawberry.ID | None = None,
        slug: str | None = None,
        locale: str | None = None,
    ) -> Any:
        found = await find_entry(info, id, model.content_type, slug, locale)
        return None if found is None else node.from_domain(found)

    listing.__annotations__ = {
        "info": Info,
        "first": int,
        "after": str | None,
        "locale": str | None,
        "return": connection,
    }
    single.__annotations__ = {
        "info": Info,
        "id": strawberry.ID | None,
        "slug": str | None,
        "locale": str | None,
        "return": node | None,
    }
    kind = model.content_type
    return {
        model.list_field: strawberry.field(
            resolver=listing,
            name=model.list_field,
            description=f"{kind!r} entries as a Relay connection, typed.",
        ),
        model.single_field: strawberry.field(
            resolver=single,
            name=model.single_field,
            description=f"One {kind!r} entry by id or slug, typed.",
        ),
    }


def typed_queries(model: ContentModel) -> type | None:
    """A query type with a list and a single field per content type; None for an empty model."""
    if not model.types:
        return None
    namespace: dict[str, Any] = {"__annotations__": {}}
    for number, type_model in enumerate(model.types):
        for suffix, field in zip(("list", "one"), _root_fields(type_model).values(), strict=True):
            namespace[f"{suffix}_{number}"] = field
    return strawberry.type(type("TypedQueries", (), namespace))
