"""The ASGI GraphQL view: strawberry's, with orjson and Veneer's typed context."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from veneer.graphql.context import Context
from veneer.graphql.schema import schema
from veneer.services import Services


class VeneerGraphQL(GraphQL[Context, None]):
    def __init__(self, services: Services):
        super().__init__(schema, graphql_ide="graphiql")
        self.services = services

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
