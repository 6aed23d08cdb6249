"""Oversized GraphQL documents are refused before they are validated, in milliseconds.

Validation is where a hostile document costs most: 10,000 aliases, or 500 copies of one
field, kept a core busy for seconds while graphql-core compared every pair of fields sharing
a response name. Strawberry's `MaxAliasesLimiter` and `QueryDepthLimiter` are validation
rules, so they spoke only after all of that (and follow fragment spreads without memory, so
fragments spreading each other twice over take exponential time). Instead:

1. the parser refuses a document longer than `CHARACTERS_PER_TOKEN` characters per allowed
   token before reading it, and stops at the token limit (graphql-core's
   ``max_source_length``, ``max_lexical_tokens``, and ``max_comments`` as comments are not
   tokens), so refusing costs at most the parsing of that many tokens: ``TOO_MANY_TOKENS``;
2. the parsed document's fields, aliases and depth, with fragments expanded
   (`document_size`), are held against the limits: ``QUERY_TOO_COMPLEX``;
3. only then does strawberry validate (cached) and execute it.

Public keys get the ``VENEER_GRAPHQL_MAX_*`` settings; secret keys, which servers hold,
``VENEER_GRAPHQL_SECRET_KEY_FACTOR`` times as much. Parsing and measuring are cached together
by query text, as strawberry's `ParserCache` caches parsing, which this replaces.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError, parse
from strawberry.extensions import SchemaExtension

from veneer.graphql.context import Context
from veneer.graphql.document_size import CEILING, DocumentSize, measure_document
from veneer.identity.keys import KeyKind
from veneer.settings import Settings

CACHED_DOCUMENTS = 256
CHARACTERS_PER_TOKEN = 20  # generous: GraphiQL's introspection query has 9


@dataclass(frozen=True)
class DocumentLimits:
    tokens: int
    fields: int
    aliases: int
    depth: int
    holder: str  # whose limits these are, for the message: "a public key"

    @property
    def characters(self) -> int:
        return self.tokens * CHARACTERS_PER_TOKEN

    @classmethod
    def for_key(cls, settings: Settings, kind: KeyKind) -> DocumentLimits:
        factor = settings.graphql_secret_key_factor if kind is KeyKind.SECRET else 1
        return cls(
            tokens=settings.graphql_max_tokens * factor,
            fields=settings.graphql_max_fields * factor,
            aliases=settings.graphql_max_aliases * factor,
            depth=settings.graphql_max_depth * factor,
            holder=f"a {kind.value} key",
        )

    def exceeded(self, size: DocumentSize) -> GraphQLError | None:
        """The first limit ``size`` is over, as the error the client gets; None if within."""
        for limit, found, allowed, what in (
            (
                "fields",
                size.fields,
                self.fields,
                "selects {} fields (fragments count where spread)",
            ),
            ("aliases", size.aliases, self.aliases, "uses {} aliases"),
            ("depth", size.depth, self.depth, "nests fields {} deep"),
        ):
            if found > allowed:
                counted = f"at least {found}" if found >= CEILING else str(found)
                return _refusal(
                    "QUERY_TOO_COMPLEX",
                    f"The document {what.format(counted)}; the limit for {self.holder} is "
                    f"{allowed}.",
                    limit=limit,
                    max=allowed,
                    found=found,
                )
        return None

    def refused_while_parsing(self, error: GraphQLSyntaxError) -> GraphQLError | None:
        """graphql-core's refusal at one of our limits, with a code; None for a syntax error."""
        for what, allowed, contains in (
            (
                "characters",
                self.characters,
                f"Source contains more than {self.characters} code points",
            ),
            ("tokens", self.tokens, f"Document contains more than {self.tokens} tokens"),
            ("comments", self.tokens, f"Document contains more than {self.tokens} comments"),
        ):
            if error.message == f"Syntax Error: {contains}. Parsing aborted.":
                return _refusal(
                    "TOO_MANY_TOKENS",
                    f"The document has more than {allowed} {what}; the limit for "
                    f"{self.holder} is {allowed}.",
                    limit=what,
                    max=allowed,
                )
        return None


def _refusal(code: str, message: str, **details: object) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **details})


@functools.lru_cache(maxsize=CACHED_DOCUMENTS)
def _parse(query: str, limits: DocumentLimits) -> tuple[DocumentNode, DocumentSize]:
    """Parsed and measured once per query text: a cache hit costs a dictionary lookup."""
    document = parse(
        query,
        max_source_length=limits.characters,
        max_lexical_tokens=limits.tokens,
        max_comments=limits.tokens,
    )
    return document, measure_document(document)


def parse_within(query: str, limits: DocumentLimits) -> DocumentNode | None:
    """The parsed document, or None when it is over ``limits`` (running it says which).

    Shares the cache with `DocumentLimitsExtension`; raises on a syntax error.
    """
    document, size = _parse(query, limits)
    return None if limits.exceeded(size) is not None else document


class DocumentLimitsExtension(SchemaExtension):
    """Parses with the caller's token limit, and refuses a document over its other limits.

    Raising here ends the request before validation, the way a syntax error does.
    """

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        assert isinstance(context, Context), "Veneer's view always passes its Context"
        limits = DocumentLimits.for_key(context.services.settings, context.principal.key.kind)
        if execution.graphql_document is not None:  # parsed elsewhere: measure it still
            size = measure_document(execution.graphql_document)
        elif execution.query:
            try:
                execution.graphql_document, size = _parse(execution.query, limits)
            except GraphQLSyntaxError as error:
                refused = limits.refused_while_parsing(error)
                if refused is None:
                    raise
                raise refused from None
        else:  # strawberry answers a missing query itself
            yield
            return
        refusal = limits.exceeded(size)
        if refusal is not None:
            raise refusal
        yield
