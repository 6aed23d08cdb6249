"""Which documents' answers may be reused, on the schema the shipped sample shop gets."""

from __future__ import annotations

import asyncio

import pytest
from graphql import GraphQLSchema, parse

from veneer.content_adapters.registry import adapter_from_setting
from veneer.content_adapters.sampling import sample_entries
from veneer.content_model import infer_model
from veneer.graphql.cacheable import Reuse, reuse_of
from veneer.graphql.schema import ROOT_FIELDS, TYPE_NAMES, build_schema


@pytest.fixture(scope="module")
def typed() -> GraphQLSchema:
    """The schema with `products`, `product`, `articles` and `article`, as served."""
    entries = asyncio.run(sample_entries(adapter_from_setting("sample", "en")))
    schema = build_schema(infer_model(entries, ROOT_FIELDS, TYPE_NAMES))
    return schema._schema  # type: ignore[no-any-return]


def _reuse(schema: GraphQLSchema, query: str, operation: str | None = None) -> Reuse | None:
    return reuse_of(parse(query), operation, schema, ROOT_FIELDS)


@pytest.mark.parametrize(
    "query",
    [
        "{ entries(first: 20) { edges { cursor node { id fields personalization { baseline "
        "variantId reason segments purposes experiment { key arm } } } } pageInfo { "
        "hasNextPage endCursor } } }",
        '{ a: entry(id: "tent-x2") { __typename t: field(name: "title") } b: entry(id: "x") '
        "{ id } }",
        "query($n: Int!, $more: Boolean!) { products(first: $n) { edges { node { title price "
        "... on Entry { slug @include(if: $more) } } } } }",
        "{ entries { edges { node { ...Card } } } } fragment Card on Entry { id ...More } "
        "fragment More on Product { badge }",
        '{ article(slug: "rope-care-basics") { title body } __typename }',
    ],
)
def test_content_and_variants_are_reused_across_viewers(typed: GraphQLSchema, query: str) -> None:
    assert _reuse(typed, query) == Reuse(per_viewer=False)


def test_the_personalization_id_names_the_viewer_so_it_is_reused_for_them_only(
    typed: GraphQLSchema,
) -> None:
    query = "{ products { edges { node { ... on Product { personalization { id } } } } } }"
    assert _reuse(typed, query) == Reuse(per_viewer=True)


@pytest.mark.parametrize(
    "query",
    [
        "{ viewer { anonymousId } }",
        "{ entries { edges { node { id } } } viewer { segments { key } } }",
        '{ entry(id: "tent-x2") { recommendations { id } } }',
        '{ entry(id: "tent-x2") { ...S } } fragment S on Entry { similar { id } }',
        "{ recommendations(first: 3) { id } }",
        '{ block(placement: "hero", format: JSON) { reason } }',
        "{ feed(first: 5) { edges { node { id } } } }",
        "{ __schema { queryType { name } } }",
        '{ ... on Query { viewer { id } } entry(id: "x") { id } }',
        'mutation { track(events: [{type: "page_view"}]) { accepted } }',
        "{ entries { edges { node { nope } } } }",  # not valid: it runs and says so
        "{ entries { edges { node { ...A } } } } fragment A on Entry { ...B } "
        "fragment B on Entry { ...A }",
        "{ entries { edges { node { ...Missing } } } }",
    ],
)
def test_anything_about_the_viewer_or_with_effects_runs_every_time(
    typed: GraphQLSchema, query: str
) -> None:
    assert _reuse(typed, query) is None


def test_the_operation_named_is_the_one_judged(typed: GraphQLSchema) -> None:
    document = "query Shop { entries { edges { cursor } } } query Me { viewer { id } }"
    assert _reuse(typed, document, "Shop") == Reuse(per_viewer=False)
    assert _reuse(typed, document, "Me") is None
    assert _reuse(typed, document) is None  # which one? running it says
