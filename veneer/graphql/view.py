"""The ASGI GraphQL view: strawberry's, with orjson and Veneer's typed context."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from veneer.graphql.context import Context
from veneer.graphql.schema import schema
from veneer.services import Services


class VeneerGraphQL(GraphQL[Context, None]):
    def __init__(self, services: Services):
        super().__init__(schema, graphql_ide="graphiql")
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Without a principal (the auth middleware let a browser through), serve only the IDE."""
        if scope["type"] == "http" and "principal" not in scope.get("state", {}):
            response = await self.render_graphql_ide(Request(scope, receive))
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> Any:
        return orjson.loads(data)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        assert isinstance(request, Request) and isinstance(response, Response)
        return Context(
            request=request,
            response=response,
            services=self.services,
            principal=request.state.principal,
            now=self.services.clock(),
        )
