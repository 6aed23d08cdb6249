"""Reusing answers: a query seen before is answered without running it, when that is safe.

A document that reads content and variants only (see `cacheable`) has the same answer for
every viewer with the same *decision vector*: segments, consent, holdouts and experiment
arms (`ViewerState.decisions`). Its first run for a vector is kept in the process's
`AnswerStore`, keyed by the schema, the key kind, the document, the operation, the variables
and that vector (and by the viewer too when it selects `Personalization.id`); later requests
with the same key get those bytes, which are exactly what running it would have produced:

- the vector comes from the same viewer state running it would load, so a consent change,
  a segment or experiment edit changes the key on the next request;
- a content webhook drops every kept answer (in the process it reaches before it answers,
  in the others when the change is announced on the content channel), and none outlives
  the content cache's TTL;
- an answer holds only until the first variant schedule change among its entries;
- answers with errors, or built from stale content while the CMS was down, are not kept;
- the experiment exposures an answer shows are recorded for each viewer it is served to,
  and the entries it shows are counted for coverage each time it is served.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.http import GraphQLRequestData
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionResult

from veneer.graphql.cacheable import Reuse, reuse_of
from veneer.graphql.limits import DocumentLimits, parse_within
from veneer.identity.keys import KeyKind
from veneer.identity.principal import Principal
from veneer.variants.coverage import Served
from veneer.viewer_state import ViewerState

PLANS_KEPT = 1024


@dataclass(frozen=True)
class Lookup:
    """A request's answer looked up in vain: the key to keep its answer under once it runs,
    and the viewer state (and time) the key was worked out from, which the run uses too."""

    key: Hashable
    state: ViewerState
    now: datetime


@dataclass
class ToKeep(ExecutionResult):
    """An answer that ran and may be kept, under ``key``, once it is encoded."""

    key: Hashable = None
    arms: dict[str, str] = field(default_factory=dict)
    valid_until: datetime | None = None
    served: dict[Served, int] = field(default_factory=dict)  # entries shown, for coverage


class Encoded(dict[str, Any]):
    """A response already encoded as JSON, passed through strawberry's steps unchanged."""

    def __init__(self, body: bytes):
        super().__init__()
        self.body = body


class ReusePlans:
    """Whether (and how) each document's answer may be reused, worked out once per text."""

    def __init__(self, static_root_fields: frozenset[str]):
        self._static_root_fields = static_root_fields
        self._plans: dict[tuple[Any, ...], Reuse | None] = {}

    def reuse(
        self, schema: BaseSchema, data: GraphQLRequestData, kind: KeyKind, limits: DocumentLimits
    ) -> Reuse | None:
        if data.query is None:
            return None
        memo = (schema, data.query, data.operation_name, kind)
        if memo in self._plans:
            return self._plans[memo]
        plan = None
        try:
            document = parse_within(data.query, limits)
        except (GraphQLSyntaxError, GraphQLError):
            document = None  # running it reports the error
        if document is not None:
            plan = reuse_of(
                document,
                data.operation_name,
                schema._schema,  # type: ignore[attr-defined]
                self._static_root_fields,
            )
        if len(self._plans) >= PLANS_KEPT:
            self._plans.clear()
        self._plans[memo] = plan
        return plan


def answer_key(
    reuse: Reuse,
    schema_generation: int,
    data: GraphQLRequestData,
    principal: Principal,
    state: ViewerState,
) -> Hashable:
    variables = orjson.dumps(data.variables, option=orjson.OPT_SORT_KEYS)
    viewer = principal.viewer
    return (
        schema_generation,
        principal.key.kind,
        data.query,
        data.operation_name,
        variables,
        viewer.id if reuse.per_viewer and viewer is not None else None,
        state.decisions,
    )


def keepable(result: ExecutionResult) -> bool:
    """Whether an answer may be served again: no errors, and not built from stale content."""
    return not result.errors and not (result.extensions or {}).get("stale")
