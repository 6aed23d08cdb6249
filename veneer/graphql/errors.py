"""GraphQL errors a client can act on: they name the field and the reason."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class UserInputError(GraphQLError):
    """Bad arguments: ``extensions.field`` names the argument, the message says why."""

    def __init__(self, field: str | None, message: str, **extensions: Any):
        text = f"{field}: {message}" if field else message
        ext: dict[str, Any] = {"code": "BAD_USER_INPUT", **extensions}
        if field:
            ext["field"] = field
        super().__init__(text, extensions=ext)


class NoViewerError(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "this field needs a viewer: send X-Veneer-Anonymous-Id or X-Veneer-Viewer-Token "
            "(secret keys may send X-Veneer-User-Id)",
            extensions={"code": "NO_VIEWER"},
        )
