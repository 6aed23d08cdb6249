"""Which GraphQL documents may be answered from another request's answer, and keyed by what.

A document's answer may be reused when it is a query that reads only content and the variants
chosen for the viewer: those depend on the content, the schema, the document and its
variables, and on the viewer's *decision vector* (segments, consent, holdouts, experiment
arms), nothing else. Everything that reads the viewer's own data (``viewer``, ``feed``,
``offers``, ``block``, personal ``recommendations``), that has side effects, or that ranks
by time or history (``similar``) is left out: such a document runs every time.

`Personalization.id` is the one field in that set that names the viewer (an opaque id per
viewer): a document that selects it is reused for that same viewer only.

The walk is conservative: fields under ``@include``/``@skip`` count whatever the variables
say, and anything it does not recognize (an unknown field or type, a fragment cycle) makes
the document run normally, where the error is reported as usual.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)

ENTRY = "Entry"
ROOT_CONTENT_FIELDS = frozenset({"entry", "entries"})
ENTRY_FIELDS_NOT_REUSED = frozenset({"recommendations", "similar"})
PLAIN_TYPES = frozenset(
    {"Personalization", "ExperimentAssignment", "PageInfo", "EntryConnection", "EntryEdge"}
)
PER_VIEWER_FIELDS = frozenset({("Personalization", "id")})
Composite = GraphQLObjectType | GraphQLInterfaceType


@dataclass(frozen=True)
class Reuse:
    """How a document's answer may be reused: across viewers, or for the same viewer only."""

    per_viewer: bool


class _NotReusable(Exception):
    pass


def _is_entry(kind: Composite) -> bool:
    return kind.name == ENTRY or any(i.name == ENTRY for i in kind.interfaces)


class _Walk:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments
        self.per_viewer = False
        self.entry_types = {
            kind.name
            for kind in schema.type_map.values()
            if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType) and _is_entry(kind)
        }

    def allowed_type(self, kind: Composite) -> bool:
        name = kind.name
        if name in PLAIN_TYPES or name in self.entry_types:
            return True
        for suffix in ("Connection", "Edge"):  # a typed root field's: ProductConnection
            if name.endswith(suffix) and name.removesuffix(suffix) in self.entry_types:
                return True
        return False

    def allowed_root_field(self, name: str, static_root_fields: frozenset[str]) -> bool:
        return name in ROOT_CONTENT_FIELDS or not (
            name in static_root_fields or name.startswith("__")
        )

    def selections(
        self, selection_set: SelectionSetNode, kind: Composite, seen: frozenset[str]
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, kind, seen)
            elif isinstance(selection, InlineFragmentNode):
                self.selections(selection.selection_set, self.condition(selection, kind), seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    raise _NotReusable(name)
                self.selections(
                    fragment.selection_set, self.condition(fragment, kind), seen | {name}
                )

    def condition(
        self, fragment: InlineFragmentNode | FragmentDefinitionNode, kind: Composite
    ) -> Composite:
        if fragment.type_condition is None:
            return kind
        named = self.schema.get_type(fragment.type_condition.name.value)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            raise _NotReusable(fragment.type_condition.name.value)
        if not self.allowed_type(named):
            raise _NotReusable(named.name)
        return named

    def field(self, node: FieldNode, kind: Composite, seen: frozenset[str]) -> None:
        name = node.name.value
        if name == "__typename":
            return
        definition = kind.fields.get(name)
        if definition is None or (_is_entry(kind) and name in ENTRY_FIELDS_NOT_REUSED):
            raise _NotReusable(name)
        if (kind.name, name) in PER_VIEWER_FIELDS:
            self.per_viewer = True
        if node.selection_set is None:
            return
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            raise _NotReusable(name)  # a union, say: nothing reusable returns one
        if not self.allowed_type(named):
            raise _NotReusable(named.name)
        self.selections(node.selection_set, named, seen)


def reuse_of(
    document: DocumentNode,
    operation_name: str | None,
    schema: GraphQLSchema,
    static_root_fields: frozenset[str],
) -> Reuse | None:
    """How the named (or only) operation's answer may be reused; None: run it every time."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return None
    query = schema.query_type
    if query is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments)
    try:
        for selection in operations[0].selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name != "__typename" and not walk.allowed_root_field(name, static_root_fields):
                    return None
            walk.selections(SelectionSetNode(selections=(selection,)), query, frozenset())
    except _NotReusable:
        return None
    return Reuse(per_viewer=walk.per_viewer)
