"""The content model: which fields each content type has, and the GraphQL names they get.

Typed GraphQL (``products { title price }``) needs to know each type's fields. Not every CMS
publishes its model to a read-only token (Wagtail's API v2 does not), so the model is inferred
from the entries themselves: a field's kind is what every sampled value agrees on, and a
field whose values disagree is plain JSON. Pure: entries in, model out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from veneer.entries import Entry

GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
INT_RANGE = range(-(2**31), 2**31)  # GraphQL's Int is 32-bit
# Names every typed entry already has (from the Entry interface).
ENTRY_FIELDS = frozenset(
    {"id", "contentType", "slug", "locale", "updatedAt", "fields", "field", "personalization"}
)


class FieldKind(Enum):
    STRING = "String"
    INT = "Int"
    FLOAT = "Float"
    BOOLEAN = "Boolean"
    STRING_LIST = "[String!]"
    JSON = "JSON"


@dataclass(frozen=True)
class ModelField:
    name: str  # as the CMS spells it
    graphql_name: str
    kind: FieldKind


@dataclass(frozen=True)
class ContentTypeModel:
    content_type: str
    type_name: str  # Product
    single_field: str  # product(id:, slug:)
    list_field: str  # products(first:, after:)
    fields: tuple[ModelField, ...]


@dataclass(frozen=True)
class ContentModel:
    types: tuple[ContentTypeModel, ...]
    skipped: tuple[str, ...] = ()  # what could not be named, and why


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^0-9A-Za-z]+", spaced) if w]


def camel(name: str) -> str:
    """``in-stock`` and ``in_stock`` become ``inStock``; ``inStock`` stays."""
    words = _words(name)
    if not words:
        return ""
    return words[0][0].lower() + words[0][1:] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def pascal(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in _words(name))


def plural(word: str) -> str:
    """English plural of a content type name; one ending in a lone s is taken as plural."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(ss|x|z|ch|sh)$", word):
        return word + "es"
    if word.endswith("s"):
        return word  # news, series: the caller names the list field otherwise
    return word + "s"


def kind_of(value: Any) -> FieldKind:
    if isinstance(value, bool):
        return FieldKind.BOOLEAN
    if isinstance(value, int):
        return FieldKind.INT if value in INT_RANGE else FieldKind.FLOAT
    if isinstance(value, float):
        return FieldKind.FLOAT
    if isinstance(value, str):
        return FieldKind.STRING
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return FieldKind.STRING_LIST
    return FieldKind.JSON


def merge_kinds(kinds: Iterable[FieldKind]) -> FieldKind:
    """What all sampled values agree on; ints and floats together are Float."""
    found = set(kinds)
    if len(found) == 1:
        return found.pop()
    if found == {FieldKind.INT, FieldKind.FLOAT}:
        return FieldKind.FLOAT
    return FieldKind.JSON


def fits(kind: FieldKind, value: Any) -> bool:
    """Whether a served value (a variant may override it) can go out as ``kind``."""
    if kind is FieldKind.JSON:
        return True
    actual = kind_of(value)
    return actual is kind or (kind is FieldKind.FLOAT and actual is FieldKind.INT)


def _fields_of(entries: list[Entry]) -> dict[str, FieldKind]:
    values: dict[str, list[FieldKind]] = {}
    for entry in entries:
        layers: list[Mapping[str, Any]] = [entry.fields, *(v.fields for v in entry.variants)]
        for layer in layers:
            for name, value in layer.items():
                if value is not None:
                    values.setdefault(name, []).append(kind_of(value))
    return {name: merge_kinds(kinds) for name, kinds in sorted(values.items())}


def infer_model(
    entries: Iterable[Entry],
    taken_fields: frozenset[str] = frozenset(),
    taken_types: frozenset[str] = frozenset(),
) -> ContentModel:
    """The model the sampled ``entries`` imply, around the root fields and types in use."""
    by_type: dict[str, list[Entry]] = {}
    for entry in entries:
        by_type.setdefault(entry.content_type, []).append(entry)
    types: list[ContentTypeModel] = []
    skipped: list[str] = []
    used_roots = set(taken_fields)
    used_types = set(taken_types)
    for content_type, members in sorted(by_type.items()):
        single, type_name = camel(content_type), pascal(content_type)
        many = plural(single)
        if many == single:
            many = single + "List"
        names = (single, many, type_name)
        if not all(GRAPHQL_NAME.match(n) for n in names):
            skipped.append(f"content type {content_type!r}: not a usable GraphQL name")
            continue
        generated = {type_name, type_name + "Edge", type_name + "Connection"}
        clash = ({single, many} & used_roots) | (generated & used_types)
        if clash:
            skipped.append(f"content type {content_type!r}: {', '.join(sorted(clash))} is taken")
            continue
        used_roots |= {single, many}
        used_types |= generated
        fields: list[ModelField] = []
        seen_names: set[str] = set()
        for name, kind in _fields_of(members).items():
            graphql_name = camel(name)
            if not GRAPHQL_NAME.match(graphql_name or "-") or graphql_name in ENTRY_FIELDS:
                skipped.append(f"{content_type}.{name}: use field(name: {name!r}) instead")
                continue
            if graphql_name in seen_names:
                skipped.append(f"{content_type}.{name}: {graphql_name} is taken")
                continue
            seen_names.add(graphql_name)
            fields.append(ModelField(name, graphql_name, kind))
        types.append(ContentTypeModel(content_type, type_name, single, many, tuple(fields)))
    return ContentModel(tuple(types), tuple(skipped))
