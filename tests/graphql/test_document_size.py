"""Measuring a document as it expands: fragments counted where spread, cycles cut, fast."""

from __future__ import annotations

from graphql import get_introspection_query, parse

from veneer.graphql.document_size import CEILING, DocumentSize, measure_document


def _size(query: str) -> DocumentSize:
    return measure_document(parse(query))


def test_fields_aliases_and_depth_of_a_plain_query() -> None:
    query = "{ viewer { id first: segments { key } } entries { edges { node { id } } } }"
    assert _size(query) == DocumentSize(fields=8, aliases=1, depth=4)


def test_fragments_count_wherever_they_are_spread() -> None:
    query = """
    { viewer { ...Who also: segments { ...Key } } other: viewer { ...Who } }
    fragment Who on Viewer { id anonymousId short: userId segments { ...Key } }
    fragment Key on Segment { key name }
    """
    # viewer(1) + Who(6) + also(1) + Key(2); other(1) + Who(6)
    assert _size(query) == DocumentSize(fields=17, aliases=4, depth=3)


def test_inline_fragments_open_in_place() -> None:
    assert _size("{ viewer { ... on Viewer { id ... { userId } } } }") == DocumentSize(3, 0, 2)


def test_fragments_spreading_each_other_twice_over_are_counted_without_expanding() -> None:
    chain = " ".join(f"fragment F{i} on Viewer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(200))
    query = f"{{ viewer {{ ...F0 }} }} {chain} fragment F200 on Viewer {{ id a: id }}"
    size = _size(query)
    assert size.fields == size.aliases == CEILING  # 2**201 is no number to carry around
    assert size.depth == 2


def test_a_fragment_cycle_does_not_hang_the_count() -> None:
    query = """
    { viewer { ...A } }
    fragment A on Viewer { id ...B }
    fragment B on Viewer { userId ...A ...B }
    """
    assert _size(query).fields < 10


def test_a_long_chain_of_fragments_needs_no_deep_recursion() -> None:
    chain = " ".join(f"fragment F{i} on Viewer {{ id ...F{i + 1} }}" for i in range(5000))
    query = f"{{ viewer {{ ...F0 }} }} {chain} fragment F5000 on Viewer {{ id }}"
    assert _size(query) == DocumentSize(fields=5002, aliases=0, depth=2)


def test_fragments_no_operation_spreads_still_count() -> None:
    """Validation reads them before it calls them unused."""
    query = "{ viewer { id } } fragment Lots on Viewer { " + "id " * 50 + "}"
    assert _size(query).fields == 52


def test_introspection_counts_fields_but_not_depth() -> None:
    """graphql-core bounds introspection's nesting; GraphiQL's query nests 15 levels."""
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    size = _size(query)
    assert size.depth == 0
    assert 200 < size.fields < 300
    assert _size("{ viewer { __typename id } }").depth == 2
