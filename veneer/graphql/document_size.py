"""How big a parsed GraphQL document is once its fragments are spread: fields, aliases, depth.

Validation and execution cost what the document expands to, not what it spells: ten
fragments each spreading the next one twice select a thousand times what they show. So each
fragment is measured once, after the fragments it spreads, and its size is added wherever
it is spread; a fragment that spreads itself (which validation then refuses) adds nothing
the second time round, so a cycle cannot hang the count. Counts stop growing at `CEILING`,
which keeps the arithmetic cheap for documents built to explode.

Pure: a graphql-core document in, a `DocumentSize` out. Nothing here reads the schema,
because the point is to refuse a document before the schema-aware validation runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

CEILING = 10**9


@dataclass(frozen=True)
class DocumentSize:
    fields: int = 0  # fields selected, each fragment counted wherever it is spread
    aliases: int = 0  # fields given an alias, counted the same way
    depth: int = 0  # the most fields nested inside one another (introspection not counted)


Counts = tuple[int, int, int]  # fields, aliases, depth: plain ints on the hot path
NOTHING: Counts = (0, 0, 0)


def _selections(selection_set: SelectionSetNode | None) -> Iterator[FieldNode | str]:
    """Fields and spread fragment names directly in ``selection_set`` (inline fragments opened)."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, FragmentSpreadNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _selections(selection.selection_set)


def _spreads(selection_set: SelectionSetNode | None) -> Iterator[str]:
    """Every fragment name spread anywhere inside ``selection_set``."""
    for item in _selections(selection_set):
        if isinstance(item, str):
            yield item
        else:
            yield from _spreads(item.selection_set)


def _measure(selection_set: SelectionSetNode | None, fragments: Mapping[str, Counts]) -> Counts:
    """The parser caps nesting at 200 levels, so this recursion stays shallow."""
    fields = aliases = depth = 0
    for item in _selections(selection_set):
        if isinstance(item, str):
            more_fields, more_aliases, more_depth = fragments.get(item, NOTHING)
        else:
            inner_fields, inner_aliases, inner_depth = _measure(item.selection_set, fragments)
            more_fields = 1 + inner_fields
            more_aliases = (item.alias is not None) + inner_aliases
            # Introspection nests only as deep as graphql-core's MaxIntrospectionDepthRule
            # lets it (which GraphiQL's own query needs 15 levels for), so it is not counted.
            more_depth = 0 if item.name.value.startswith("__") else 1 + inner_depth
        fields += more_fields
        aliases += more_aliases
        depth = max(depth, more_depth)
    return min(fields, CEILING), min(aliases, CEILING), depth


def _dependencies_first(spreads: Mapping[str, list[str]]) -> list[str]:
    """Fragment names, each after the ones it spreads; a cycle is cut where it closes.

    Iterative, so a long chain of fragments cannot exhaust the recursion limit.
    """
    order: list[str] = []
    seen: set[str] = set()
    for root in spreads:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(spreads[root]))]
        while stack:
            name, pending = stack[-1]
            following = next((n for n in pending if n in spreads and n not in seen), None)
            if following is None:
                stack.pop()
                order.append(name)
            else:
                seen.add(following)
                stack.append((following, iter(spreads[following])))
    return order


def measure_document(document: DocumentNode) -> DocumentSize:
    """Every operation, and any fragment no operation spreads, measured with spreads expanded.

    Unused fragments count too: validation reads them before it reports them unused.
    """
    definitions = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    spreads = {name: list(_spreads(d.selection_set)) for name, d in definitions.items()}
    sizes: dict[str, Counts] = {}
    for name in _dependencies_first(spreads):
        sizes[name] = _measure(definitions[name].selection_set, sizes)
    reached: set[str] = set()
    waiting = [name for op in operations for name in _spreads(op.selection_set)]
    while waiting:
        name = waiting.pop()
        if name in spreads and name not in reached:
            reached.add(name)
            waiting.extend(spreads[name])
    roots = [_measure(op.selection_set, sizes) for op in operations]
    roots += [sizes[name] for name in definitions.keys() - reached]
    return DocumentSize(
        min(sum(r[0] for r in roots), CEILING),
        min(sum(r[1] for r in roots), CEILING),
        max((r[2] for r in roots), default=0),
    )
