"""GraphQL over HTTP: how ``/graphql`` reads a request, and answers one it cannot run.

Strawberry's view answers transport errors (a body that is not JSON, a wrong content type,
an unknown ``operationName``) in plain text, and a body that is JSON but not an object
(``null``, ``42``) crashed it. Apollo Client and urql read ``errors[].extensions.code``, so
`GraphQLOverHTTP` answers every one of them in GraphQL's JSON shape, with Apollo Server's
codes, following the GraphQL-over-HTTP spec for ``application/json`` responses:

- a request that is not well formed is a 4xx: ``BAD_REQUEST`` (400),
  ``PAYLOAD_TOO_LARGE`` (413), ``UNSUPPORTED_MEDIA_TYPE`` (415), and ``METHOD_NOT_ALLOWED``
  (405, with ``Allow``) for a mutation sent with GET;
- a well-formed request whose document does not parse, does not validate or does not say
  which operation to run is a 200 whose ``errors`` carry ``GRAPHQL_PARSE_FAILED``,
  ``GRAPHQL_VALIDATION_FAILED`` or ``OPERATION_RESOLUTION_FAILURE`` (see request_errors.py).

The body is read through the app's size-limited reader. Its limit leaves room for a full
batch of events (``VENEER_MAX_BATCH_BYTES``) beside the query, so `track` takes any batch
``POST /v1/events`` takes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException, StarletteRequestAdapter
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.http.types import QueryParams
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from veneer.graphql.context import Context
from veneer.graphql.persisted import NotTrusted, PersistedQueries, PersistedQueryError
from veneer.graphql.request_errors import operation_resolution_error
from veneer.identity.keys import KeyKind
from veneer.settings import Settings
from veneer.web.bodies import read_body
from veneer.web.errors import error_response

QUERY_ALLOWANCE = 100_000  # bytes for the query text and the JSON around a full batch of events


def body_limit(settings: Settings) -> int:
    """Largest ``/graphql`` body: a full event batch for `track`, plus its query."""
    return settings.max_batch_bytes + QUERY_ALLOWANCE


class TransportError(HTTPException):
    """A request that is not well-formed GraphQL over HTTP; answered before anything runs."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(status, message)
        self.field = field
        self.headers = headers


def limited_body_adapter(limit: int) -> type[StarletteRequestAdapter]:
    """Strawberry's Starlette adapter, reading the body through the size-limited reader."""

    class LimitedBodyAdapter(StarletteRequestAdapter):
        def __init__(self, request: Request):
            super().__init__(request)
            self.request = request

        async def get_body(self) -> bytes:
            return await read_body(self.request, limit)  # BodyTooLarge: the app's 413

    return LimitedBodyAdapter


def _optional(document: Mapping[str, Any], field: str, kind: type, what: str) -> Any:
    value = document.get(field)
    if value is not None and not isinstance(value, kind):
        raise TransportError(400, f"{field}: must be {what} or null", field=field)
    return value


def request_data(document: object) -> GraphQLRequestData:
    """The operation a decoded request names, each part checked for its type."""
    if isinstance(document, list):
        raise TransportError(
            400, "body: batched operations are not supported; send one per request", field="body"
        )
    if not isinstance(document, dict):
        raise TransportError(
            400, 'body: must be a JSON object such as {"query": "{ viewer { id } }"}', field="body"
        )
    return GraphQLRequestData(
        query=_optional(document, "query", str, "a string"),
        variables=_optional(document, "variables", dict, "an object"),
        operation_name=_optional(document, "operationName", str, "a string"),
        extensions=_optional(document, "extensions", dict, "an object"),
    )


# What a GraphQL answer depends on besides its URL: who asks, and what they accept.
VARY = (
    "Authorization, X-Veneer-Anonymous-Id, X-Veneer-Viewer-Token, X-Veneer-User-Id, Sec-GPC, Accept"
)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def revalidated(request: Request, response: Response, shared_for: int = 0) -> Response:
    """HTTP caching for a GET answer: an ETag of the body, 304 when the client holds it.

    Answers are personalized, so they are ``private`` (no shared cache or CDN keeps one
    viewer's answer for another) and ``no-cache`` (the browser asks again, and an unchanged
    answer costs a 304). The ETag is the body's own hash, so a viewer can only ever be told
    "unchanged" about an answer that is byte for byte theirs.

    ``shared_for`` seconds: the answer depends on no viewer (the request names none, and the
    document reads content and variant choices only), so any cache may keep it that long,
    ``public``: every request with the same URL and the same ``Vary`` headers gets it.
    """
    media = response.headers.get("content-type", "")
    if response.status_code != 200 or "json" not in media:
        return response
    etag = _etag(bytes(response.body))
    caching = f"public, max-age={shared_for}" if shared_for > 0 else "private, no-cache"
    headers = {"ETag": etag, "Cache-Control": caching, "Vary": VARY}
    held = {
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    }
    if etag in held or "*" in held:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


class GraphQLOverHTTP(GraphQL[Context, None]):
    """Strawberry's ASGI view, answering every request it cannot run as a GraphQL error."""

    def __init__(
        self,
        schema: BaseSchema,
        *,
        max_body_bytes: int,
        persisted: PersistedQueries | None = None,
        **options: Any,
    ):
        super().__init__(schema, **options)
        self.request_adapter_class = limited_body_adapter(max_body_bytes)
        self.persisted = persisted

    def should_render_graphql_ide(self, request: Any) -> bool:
        """Not for a GET naming a persisted document by hash alone (no ``query``)."""
        return super().should_render_graphql_ide(request) and not request.query_params.get(
            "extensions"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.run_http(request)
            if request.method == "GET":
                shared_for = getattr(request.state, "shared_for", 0)
                response = revalidated(request, response, shared_for)
        except TransportError as exc:
            response = error_response(
                exc.status_code, exc.reason, field=exc.field, headers=exc.headers
            )
        except HTTPException as exc:  # strawberry's own, e.g. a method it does not serve
            response = error_response(exc.status_code, exc.reason)
        await response(scope, receive, send)

    async def run_http(self, request: Request) -> Response:
        """Strawberry's `run`, for what Veneer serves over HTTP: one operation per request,
        answered as JSON. Without the branches for batches, subscriptions, multipart and
        incremental delivery, whose checks cost a reused answer a sixth of its time.

        Once the document is known, `answer_known` may answer it before a context is made
        or anything runs."""
        request_adapter = self.request_adapter_class(request)
        if not self.is_request_allowed(request_adapter):
            raise HTTPException(405, "GraphQL only supports GET and POST requests.")
        if self.should_render_graphql_ide(request_adapter):
            if self.graphql_ide:
                return await self.render_graphql_ide(request)
            raise HTTPException(404, "Not Found")
        request_data = await self.document_of(request, await self.parse_http_body(request_adapter))
        if not isinstance(request_data, GraphQLError):
            known = await self.answer_known(request, request_data)
            if known is not None:
                return known
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        if isinstance(request_data, GraphQLError):
            result = ExecutionResult(data=None, errors=[request_data])
        else:
            result = await self.execute_single(
                request, request_adapter, sub_response, context, None, request_data
            )
        response_data = await self.process_result(request=request, result=result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return self.create_response(response_data=response_data, sub_response=sub_response)

    async def answer_known(self, request: Request, data: GraphQLRequestData) -> Response | None:
        """The answer to ``data`` when it needs no execution, or None to run it; none here."""
        return None

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method == "GET":
            return request_data(self.parse_query_params(request.query_params))
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json":
            given = request.content_type or "none"
            raise TransportError(
                415, f"Content-Type: send application/json (got {given})", field="Content-Type"
            )
        body = await request.get_body()
        try:
            document = self.decode_json(body)
        except ValueError as exc:
            raise TransportError(400, f"body: not valid JSON ({exc})", field="body") from exc
        return request_data(document)

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        """A GET request's parameters, ``variables`` and ``extensions`` decoded from JSON."""
        document: dict[str, Any] = dict(params)
        for field in ("variables", "extensions"):
            if document.get(field):
                try:
                    document[field] = self.decode_json(document[field])
                except ValueError as exc:
                    raise TransportError(
                        400, f"{field}: not valid JSON ({exc})", field=field
                    ) from exc
        return document

    async def document_of(
        self, request: Request, request_data: GraphQLRequestData
    ) -> GraphQLRequestData | GraphQLError:
        """The request with its document: a persisted one's text looked up by its hash, or
        the error to answer instead (``PersistedQueryNotFound``, for the client to retry)."""
        if self.persisted is None:
            return request_data
        public = request.state.principal.key.kind is KeyKind.PUBLIC
        try:
            return await self.persisted.resolve(request_data, public)
        except PersistedQueryError as exc:
            raise TransportError(400, str(exc), field=exc.field) from exc
        except NotTrusted as exc:
            raise TransportError(
                403,
                "query: public keys run registered documents only here; register it "
                "with `veneer queries register MANIFEST`, then send its hash",
                field="query",
            ) from exc

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """The document, its text known by now, run."""
        return await self.execute_document(request_adapter, context, root_value, request_data)

    async def execute_document(
        self,
        request_adapter: AsyncHTTPRequestAdapter,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Run the document (its text known by now), its errors before execution answered
        as GraphQL errors or as the HTTP status the spec gives them."""
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=OperationType.from_http(request_adapter.method),
                operation_extensions=request_data.extensions,
            )
        except MissingQueryError as exc:
            raise TransportError(
                400, 'query: missing; send {"query": "..."}', field="query"
            ) from exc
        except CannotGetOperationTypeError as exc:
            if exc.operation_name is None:
                error = operation_resolution_error("query: holds no operation to run", "query")
            else:
                error = operation_resolution_error(
                    f"operationName: no operation named {exc.operation_name!r} in the query"
                )
            return ExecutionResult(data=None, errors=[error])
        except InvalidOperationTypeError as exc:
            kind = exc.operation_type.value
            raise TransportError(
                405,
                f"{request_adapter.method}: a {kind} must be sent with POST",
                headers={"Allow": "POST"},
            ) from exc
