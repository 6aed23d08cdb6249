"""The ASGI GraphQL view: strawberry's, with orjson and Veneer's typed context."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from veneer import json_values
from veneer.content_adapters import ContentError
from veneer.content_adapters.sampling import sample_entries
from veneer.content_model import ContentModel, infer_model
from veneer.graphql.answers import Encoded, Lookup, ReusePlans, ToKeep, answer_key, keepable
from veneer.graphql.context import Context
from veneer.graphql.ide import graphiql_page
from veneer.graphql.limits import DocumentLimits
from veneer.graphql.persisted import PersistedQueries
from veneer.graphql.schema import ROOT_FIELDS, TYPE_NAMES, build_schema, schema
from veneer.graphql.transport import GraphQLOverHTTP, body_limit
from veneer.identity.keys import KeyKind
from veneer.identity.principal import Principal
from veneer.metrics import GRAPHQL_ANSWERS
from veneer.services import Services

logger = logging.getLogger(__name__)
REUSED, KEPT, RAN = (GRAPHQL_ANSWERS.labels(outcome) for outcome in ("reused", "kept", "ran"))


class VeneerGraphQL(GraphQLOverHTTP):
    """Strawberry's view, whose schema follows the CMS's content model.

    The typed root fields (``products``, ``article``) come from the content model, inferred
    from the CMS on the first request, re-checked every ``content_model_refresh`` seconds and
    after each content webhook; the schema is swapped only when the model changed.
    """

    def __init__(self, services: Services):
        super().__init__(
            schema,
            graphql_ide="graphiql",
            max_body_bytes=body_limit(services.settings),
            persisted=PersistedQueries(
                services.cache,
                services.settings.persisted_query_ttl,
                services.trusted_documents,
                services.settings.trusted_documents_only,
            ),
        )
        self.services = services
        self.model: ContentModel | None = None
        self.schema_generation = 0  # part of every kept answer's key
        self.plans = ReusePlans(ROOT_FIELDS)
        self.limits: dict[KeyKind, DocumentLimits] = {}  # by key kind, from the settings
        self._first_refresh: asyncio.Future[None] | None = None

    async def refresh_model(self) -> bool:
        """Re-infer the content model; True when the schema changed. CMS errors propagate."""
        entries = await sample_entries(self.services.content)
        model = infer_model(entries, ROOT_FIELDS, TYPE_NAMES)
        if model == self.model:
            return False
        self.schema = build_schema(model)
        self.schema_generation += 1
        self.model = model
        logger.info(
            "typed GraphQL fields for: %s", ", ".join(t.list_field for t in model.types) or "none"
        )
        for reason in model.skipped:
            logger.warning("typed GraphQL: skipped %s", reason)
        return True

    async def try_refresh_model(self) -> None:
        """Never raises: the generic fields serve whatever happens to the typed ones."""
        try:
            await self.refresh_model()
        except ContentError as exc:
            logger.warning("typed GraphQL fields not refreshed, the CMS did not answer: %s", exc)
        except Exception:  # an adapter's bug must not fail the requests waiting on this
            logger.exception("typed GraphQL fields not refreshed")

    async def watch_model(self, stop: asyncio.Event) -> None:
        """Until ``stop``: re-check the model every ``content_model_refresh`` seconds."""
        every = self.services.settings.content_model_refresh
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            if not stop.is_set():
                await self.try_refresh_model()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Without a principal (the auth middleware let a browser through), serve only the IDE."""
        if self._first_refresh is None:  # one try shared by the first concurrent requests
            self._first_refresh = asyncio.ensure_future(self.try_refresh_model())
        if not self._first_refresh.done():
            await asyncio.shield(self._first_refresh)
        if scope["type"] == "http" and "principal" not in scope.get("state", {}):
            response = await self.render_graphql_ide(Request(scope, receive))
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Veneer's own GraphiQL page, whose assets come from Veneer, not from a CDN."""
        return graphiql_page(request, self.services.settings)

    def encode_json(self, data: object) -> bytes:
        try:
            return orjson.dumps(data)
        except TypeError:  # an integer past 64 bits, stored before such input was refused
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    def decode_json(self, data: str | bytes) -> Any:
        return json_values.loads(data)

    async def answer_known(self, request: Request, data: GraphQLRequestData) -> Response | None:
        """A document whose answer may be reused is answered from the store when an earlier
        request with the same key ran it, with no context made and nothing run. On a miss,
        the key and the viewer state loaded for it go on to the run (see `Lookup`)."""
        answers = self.services.answers
        if not answers.enabled:
            return None
        principal: Principal = request.state.principal
        kind = principal.key.kind
        limits = self.limits.get(kind)
        if limits is None:
            limits = self.limits[kind] = DocumentLimits.for_key(self.services.settings, kind)
        reuse = self.plans.reuse(self.schema, data, kind, limits)
        if reuse is None:
            return None
        try:
            state = await self.services.viewer_state(principal.viewer, principal.gpc)
        except Exception:  # running it reports the failure as a GraphQL error, as ever
            logger.debug("viewer state not loaded; the document runs", exc_info=True)
            return None
        key = answer_key(reuse, self.schema_generation, data, principal, state)
        lookup = Lookup(key, state, self.services.clock())
        kept = answers.get(key, lookup.now)
        if kept is None:
            request.state.lookup = lookup
            return None
        REUSED.inc()
        for (reason, strategy), n in kept.served.items():  # what it shows is served again
            self.services.coverage.add(lookup.now.date(), reason, n, strategy)
        if kept.arms:  # the exposures it shows are this viewer's as well
            context = self.context_for(request, await self.get_sub_response(request), lookup)
            context.reused(dict(kept.arms))
            await self.record_exposures(context)
        self._shared_if_nobodys(request, principal)
        return Response(kept.body, media_type="application/json")

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Execution, then the experiment exposures the answer served, written once."""
        result = await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        await self.record_exposures(context)
        return result

    @staticmethod
    async def record_exposures(context: Context) -> None:
        try:
            await context.record_exposures()
        except Exception:  # the answer stands; the next request records the exposure again
            logger.exception("experiment exposures not recorded")

    async def execute_document(
        self,
        request_adapter: AsyncHTTPRequestAdapter,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Run the document; its answer is kept when `answer_known` looked it up in vain."""
        lookup: Lookup | None = getattr(context.request.state, "lookup", None)
        result = await super().execute_document(request_adapter, context, root_value, request_data)
        if lookup is None or not keepable(result):
            RAN.inc()
            return result
        KEPT.inc()
        self._shared_if_nobodys(context.request, context.principal)
        return ToKeep(
            data=result.data,
            errors=result.errors,
            extensions=result.extensions,
            key=lookup.key,
            arms=dict(context.served_arms),
            valid_until=context.choices_change_at,
            served=dict(context.served),
        )

    def _shared_if_nobodys(self, request: Request, principal: Principal) -> None:
        """A reusable answer for a request that names no viewer is everyone's: over GET, any
        cache may keep it for as long as Veneer would reuse it."""
        if principal.viewer is None:
            request.state.shared_for = int(self.services.answers.ttl)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """An answer to keep is encoded once, here, and kept."""
        processed = await super().process_result(request, result)
        if isinstance(result, ToKeep):
            body = self.encode_json(processed)
            answers = self.services.answers
            answers.put(result.key, body, result.arms, result.valid_until, result.served)
            return cast(GraphQLHTTPResponse, Encoded(body))
        return processed

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        if isinstance(response_data, Encoded):
            response = Response(response_data.body, media_type="application/json")
            response.headers.raw.extend(sub_response.headers.raw)
            return response
        return super().create_response(response_data, sub_response)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        assert isinstance(request, Request) and isinstance(response, Response)
        return self.context_for(request, response, getattr(request.state, "lookup", None))

    def context_for(self, request: Request, response: Response, lookup: Lookup | None) -> Context:
        """The request's context; with the viewer state and time its answer was looked up by."""
        return Context(
            request=request,
            response=response,
            services=self.services,
            principal=request.state.principal,
            now=self.services.clock() if lookup is None else lookup.now,
            _state=None if lookup is None else lookup.state,
        )
