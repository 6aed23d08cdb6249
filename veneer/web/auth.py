"""Authentication middleware: every API request carries a key and names its viewer.

It runs before GraphQL and REST alike, so no endpoint can forget the check. The result is
left in ``scope["state"]["principal"]`` for the endpoints to read.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

from veneer.audit import act_as
from veneer.identity.principal import Principal
from veneer.identity.viewer import ViewerError, resolve_viewer
from veneer.jobs import people
from veneer.services import Services
from veneer.web.cors import key_allows
from veneer.web.errors import error_response

PROTECTED_PREFIXES = ("/graphql", "/v1/")
PUBLIC_PATHS = ("/v1/openapi.json",)
SIGNED_PREFIXES = ("/v1/webhooks/", "/v1/blocks/")  # verified by signature, not an API key


def route_path(scope: Scope) -> str:
    """The path the routes match: without the root path a proxy mounts Veneer under.

    Servers put the root path in front of the path (``uvicorn --root-path /api`` makes
    ``/graphql`` arrive as ``/api/graphql``) and Starlette's router strips it before matching,
    so the check here must strip it the same way, or it would miss every route.
    """
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :]
    return path


def header_map(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name, the first of repeated ones winning, as
    Starlette's `Headers` reads them; one dictionary, since a request reads several."""
    return {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in reversed(scope["headers"])
    }


def _is_graphiql(scope: Scope, headers: Mapping[str, str]) -> bool:
    """A browser opening GraphiQL sends no key; the IDE itself then sends one per query."""
    parameters = scope.get("query_string", b"").decode("latin-1")
    return (
        scope["method"] == "GET"
        and "text/html" in headers.get("accept", "")
        and "query" not in parameters
        and "extensions" not in parameters  # a persisted document, asked for by its hash
    )


class AuthMiddleware:
    def __init__(self, app: ASGIApp, services: Services):
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope)
        if (
            scope["type"] != "http"
            or not path.startswith(PROTECTED_PREFIXES)
            or path in PUBLIC_PATHS
            or path.startswith(SIGNED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        headers = header_map(scope)
        if path.startswith("/graphql") and _is_graphiql(scope, headers):
            await self.app(scope, receive, send)
            return
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            await _refuse(scope, receive, send, 401, "Authorization: send `Bearer <api key>`")
            return
        key = await self.services.authenticate(token.strip())
        if key is None:
            await _refuse(scope, receive, send, 401, "Authorization: unknown or revoked API key")
            return
        origin = headers.get("origin")
        if origin is not None and not key_allows(
            key, origin, headers.get("host", ""), self.services.settings
        ):
            message = (
                f"Origin: pages on {origin} may not use this key; add the origin to the key "
                "(`veneer keys origins KEY_ID --add ORIGIN`) or use the key made for that site"
            )
            await error_response(403, message, field="Origin")(scope, receive, send)
            return
        try:
            viewer = resolve_viewer(key.kind, headers, self.services.settings.signing_secret())
        except ViewerError as exc:
            await _refuse(scope, receive, send, exc.status, exc.message)
            return
        if viewer is not None:
            await people.link_identity(self.services, viewer)
        act_as(f"key:{key.id}" + (f" ({key.name})" if key.name else ""))  # for the audit log
        scope.setdefault("state", {})["principal"] = Principal(
            key, viewer, headers.get("sec-gpc", "").strip() == "1"
        )
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    """GraphQL clients expect an ``errors`` list; REST clients get the same body."""
    headers = {"WWW-Authenticate": 'Bearer realm="veneer"'} if status == 401 else None
    await error_response(status, message, headers=headers)(scope, receive, send)
