"""The schema: each domain's queries and mutations, combined; extensions always on."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, QueryDepthLimiter, ValidationCache
from strawberry.tools import merge_types

from veneer.graphql.entries.queries import EntryQueries
from veneer.graphql.segments.mutations import SegmentMutations
from veneer.graphql.segments.queries import SegmentQueries
from veneer.graphql.viewer.mutations import ViewerMutations
from veneer.graphql.viewer.queries import ViewerQueries

logger = logging.getLogger(__name__)

MAX_DEPTH = 12

Query = merge_types("Query", (EntryQueries, ViewerQueries, SegmentQueries))
Mutation = merge_types("Mutation", (ViewerMutations, SegmentMutations))


def _is_unexpected(error: GraphQLError) -> bool:
    """Errors Veneer raised on purpose explain themselves; anything else is masked and logged."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    if getattr(original, "extensions", None):  # permission errors carry their own
        return False
    logger.error("unexpected error in GraphQL resolver", exc_info=original)
    return True


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaskErrors(should_mask_error=_is_unexpected),
    ],
)
