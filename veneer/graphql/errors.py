"""GraphQL errors a client can act on: they name the field and the reason."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from veneer.content_adapters import ContentError, ContentUnavailable
from veneer.json_values import find_unstorable


class UserInputError(GraphQLError):
    """Bad arguments: ``extensions.field`` names the argument, the message says why."""

    def __init__(self, field: str | None, message: str, **extensions: Any):
        text = f"{field}: {message}" if field else message
        ext: dict[str, Any] = {"code": "BAD_USER_INPUT", **extensions}
        if field:
            ext["field"] = field
        super().__init__(text, extensions=ext)


def check_json(field: str, value: object) -> None:
    """Refuse a JSON argument that could not be stored and read back, naming the bad node.

    Called before anything is written, so a bad value is the client's error now rather
    than a failing write, query or encode later (and on every read of it after that).
    """
    problem = find_unstorable(value)
    if problem is not None:
        raise UserInputError(field, str(problem), path=problem.path)


class NoViewerError(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "this field needs a viewer: send X-Veneer-Anonymous-Id or X-Veneer-Viewer-Token "
            "(secret keys may send X-Veneer-User-Id)",
            extensions={"code": "NO_VIEWER"},
        )


class ContentUnavailableError(GraphQLError):
    """The CMS behind Veneer did not answer; retrying later may work."""

    def __init__(self, message: str):
        super().__init__(message, extensions={"code": "CONTENT_UNAVAILABLE"})


def content_error(exc: Exception) -> GraphQLError:
    """The GraphQL error for a content failure: the client's mistake, or the CMS's."""
    if isinstance(exc, ContentUnavailable):
        return ContentUnavailableError(str(exc))
    assert isinstance(exc, ContentError)
    return UserInputError(exc.field, str(exc))
