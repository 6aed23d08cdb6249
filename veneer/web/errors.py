"""HTTP errors answered as JSON in GraphQL's error shape, on every path.

GraphQL clients such as Apollo Client and urql read ``errors[].extensions.code`` whatever
the status, so the whole app, REST endpoints included, answers
``{"errors": [{"message": ..., "extensions": {"code": ...}}]}`` with codes in Apollo
Server's convention.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from veneer.web.bodies import BodyTooLarge

CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_SERVER_ERROR",
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


async def body_too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)
    return error_response(413, str(exc), field="body")


EXCEPTION_HANDLERS = {
    BodyTooLarge: body_too_large,
}
