"""CORS with origins per key: pages on a key's own sites may call Veneer from the browser.

A browser asks first (the preflight, ``OPTIONS`` with ``Access-Control-Request-Method``) and
that question carries no ``Authorization`` header, so it is answered for every origin that
some active key, or ``VENEER_CORS_ORIGINS``, allows. The request that follows carries its key,
and `veneer.web.auth` refuses it (403) unless its ``Origin`` is one of that key's own: a page
that copied another site's public key gets nothing. Responses to allowed origins carry
``Access-Control-Allow-Origin``, errors included, so the page can read why it was refused.
Requests without an ``Origin`` (servers, apps) pass untouched.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veneer.identity.keys import ApiKey
from veneer.identity.origins import origin_allowed, same_origin
from veneer.services import Services
from veneer.settings import Settings
from veneer.web.errors import error_response

ALLOW_METHODS = ("GET", "POST")
ALLOW_HEADERS = (
    "Authorization",
    "Content-Type",
    "X-Veneer-Anonymous-Id",
    "X-Veneer-Viewer-Token",
    "Sec-GPC",
)
MAX_AGE = "600"  # seconds a browser may reuse a preflight's answer


def key_allows(key: ApiKey, origin: str, host: str, settings: Settings) -> bool:
    """Whether a page on ``origin`` may use ``key``: one of its origins, one every key
    allows, or Veneer's own pages (GraphiQL, the demo)."""
    return (
        same_origin(origin, host)
        or origin_allowed(origin, key.origins)
        or origin_allowed(origin, settings.allowed_origins())
    )


class CorsMiddleware:
    def __init__(self, app: ASGIApp, services: Services):
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = same_origin(origin, headers.get("host", "")) or origin_allowed(
            origin, await self.services.browser_origins()
        )
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin, allowed, headers)(scope, receive, send)
            return
        if not allowed:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers.setdefault("Access-Control-Allow-Origin", origin)
                # A page may read the id to quote it in a bug report (see web/request_ids.py).
                response_headers.setdefault("Access-Control-Expose-Headers", "X-Request-Id")
                response_headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _preflight(origin: str, allowed: bool, headers: Headers) -> ASGIApp:
        asked_method = headers["access-control-request-method"]
        asked_headers = [
            h.strip() for h in headers.get("access-control-request-headers", "").split(",")
        ]
        known = {h.lower() for h in ALLOW_HEADERS}
        problems = []
        if not allowed:
            problems.append(
                f"Origin: {origin} is not allowed by any key; add it to the public key the "
                "page uses (`veneer keys origins KEY_ID --add ORIGIN`)"
            )
        if asked_method not in ALLOW_METHODS:
            problems.append(f"Access-Control-Request-Method: {asked_method} is not allowed")
        refused = [h for h in asked_headers if h and h.lower() not in known]
        if refused:
            problems.append(f"Access-Control-Request-Headers: {', '.join(refused)} not allowed")
        if problems:
            # No Access-Control-Allow-Origin: the browser stops here and sends nothing.
            return error_response(400, "; ".join(problems), headers={"Vary": "Origin"})
        return PlainTextResponse(
            "OK",
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ", ".join(ALLOW_METHODS),
                "Access-Control-Allow-Headers": ", ".join(ALLOW_HEADERS),
                "Access-Control-Max-Age": MAX_AGE,
                "Vary": "Origin",
            },
        )
