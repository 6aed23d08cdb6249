"""HTTP errors answered as JSON in GraphQL's error shape, on every path.

GraphQL clients such as Apollo Client and urql read ``errors[].extensions.code`` whatever
the status; a ``text/plain`` 404 or 405 leaves them with nothing to show. So the whole app,
REST endpoints included, answers ``{"errors": [{"message": ..., "extensions": {"code": ...}}]}``
with codes in Apollo Server's convention.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from veneer.logs import REQUEST_ID
from veneer.web.bodies import BodyTooLarge

CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """One error in GraphQL's shape; ``code`` defaults to the status's Apollo code."""
    extensions: dict[str, Any] = {"code": code or CODES.get(status, "BAD_REQUEST")}
    if field:
        extensions["field"] = field
    body = {"errors": [{"message": message, "extensions": extensions}]}
    return JSONResponse(body, status, headers=dict(headers or {}))


async def http_error(request: Request, exc: Exception) -> Response:
    """The router's 404 and 405 (and any other `HTTPException`), as JSON."""
    assert isinstance(exc, HTTPException)
    where = f"{request.method} {request.url.path}"
    if exc.status_code == 404:
        message = f"no endpoint at {request.url.path}"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"{where}: method not allowed here; allowed: {allowed}"
    else:
        message = f"{where}: {exc.detail}"
    return error_response(exc.status_code, message, headers=exc.headers)


async def body_too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)
    return error_response(413, str(exc), field="body")


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """Starlette still re-raises the exception after this, so the server logs its traceback.

    Starlette answers a crash from outside every middleware, the request-id one included, so
    the id the crash was logged under is added here: the one figure a user can quote.
    """
    request_id = REQUEST_ID.get()
    headers = None if request_id is None else {"X-Request-Id": request_id}
    return error_response(500, "Unexpected error.", headers=headers)


EXCEPTION_HANDLERS = {
    HTTPException: http_error,
    BodyTooLarge: body_too_large,
    Exception: unexpected_error,
}
