"""The schema: each domain's queries and mutations, combined; extensions always on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension, ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from veneer.content_adapters.cached import stale_content
from veneer.content_model import ContentModel
from veneer.graphql.audit.queries import AuditQueries
from veneer.graphql.entries.queries import EntryQueries
from veneer.graphql.entries.typed import typed_queries
from veneer.graphql.entries.types import GenericEntry
from veneer.graphql.events.mutations import EventMutations
from veneer.graphql.experiments.mutations import ExperimentMutations
from veneer.graphql.experiments.queries import ExperimentQueries
from veneer.graphql.feed.queries import FeedQueries
from veneer.graphql.limits import DocumentLimitsExtension
from veneer.graphql.placements.mutations import PlacementMutations
from veneer.graphql.placements.queries import PlacementQueries
from veneer.graphql.quality.queries import QualityQueries
from veneer.graphql.recommendations.queries import RecommendationQueries
from veneer.graphql.request_errors import RequestErrors
from veneer.graphql.segments.mutations import SegmentMutations
from veneer.graphql.segments.queries import SegmentQueries
from veneer.graphql.triggers.mutations import TriggerMutations
from veneer.graphql.triggers.queries import TriggerQueries
from veneer.graphql.viewer.mutations import ViewerMutations
from veneer.graphql.viewer.queries import ViewerQueries

logger = logging.getLogger(__name__)

QUERIES: tuple[type, ...] = (
    EntryQueries,
    ViewerQueries,
    SegmentQueries,
    QualityQueries,
    AuditQueries,
    RecommendationQueries,
    ExperimentQueries,
    TriggerQueries,
    PlacementQueries,
    FeedQueries,
)
Query = merge_types("Query", QUERIES)
Mutation = merge_types(
    "Mutation",
    (
        EventMutations,
        ViewerMutations,
        SegmentMutations,
        ExperimentMutations,
        TriggerMutations,
        PlacementMutations,
    ),
)


def _is_unexpected(error: GraphQLError) -> bool:
    """Errors Veneer raised on purpose explain themselves; anything else is masked and logged."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    if getattr(original, "extensions", None):  # permission errors carry their own
        return False
    logger.error("unexpected error in GraphQL resolver", exc_info=original)
    return True


class StaleContentExtension(SchemaExtension):
    """Says in ``extensions.stale`` when the CMS was down and cached copies answered."""

    def on_operation(self) -> Iterator[None]:
        stale_content.set(set())
        yield

    def get_results(self) -> dict[str, Any]:
        return {"stale": True} if stale_content.get() else {}


class VeneerSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """A client's bad query is the client's news, not an error in the server log.

        Unexpected failures are logged (with their traceback) where they are masked.
        """
        for error in errors:
            logger.debug("GraphQL error: %s", error.message)


def build_schema(model: ContentModel | None = None) -> VeneerSchema:
    """The schema, with typed root fields for ``model``'s content types when there is one."""
    typed = typed_queries(model) if model is not None else None
    query = merge_types("Query", (*QUERIES, typed)) if typed is not None else Query
    return VeneerSchema(
        query=query,
        mutation=Mutation,
        types=[GenericEntry],  # served by `entries` and `entry`, which name only `Entry`
        extensions=[
            DocumentLimitsExtension,  # parses (cached), refusing oversized documents
            lambda: ValidationCache(maxsize=256),
            lambda: MaskErrors(should_mask_error=_is_unexpected),
            StaleContentExtension,
            RequestErrors,
        ],
    )


schema = build_schema()
# What generated names must not collide with.
ROOT_FIELDS = frozenset(schema._schema.query_type.fields)  # type: ignore[union-attr]
TYPE_NAMES = frozenset(schema._schema.type_map)
