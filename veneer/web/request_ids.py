"""`RequestIdMiddleware`: an id for every request, in its logs and in its answer."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veneer.logs import REQUEST_ID

HEADER = "x-request-id"
# What a load balancer or client may pass on: a short token, never text that could forge a
# log line (newlines) or fill one.
_SANE = re.compile(r"[A-Za-z0-9._:@+\-]{1,128}")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == HEADER.encode()), b"")
        text = given.decode("latin-1")
        request_id = text if _SANE.fullmatch(text) else uuid.uuid4().hex
        # Set, not reset: each request runs in its own task's context, and a crash is logged
        # by uvicorn after this returns, still in that context.
        REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)
