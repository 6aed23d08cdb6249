"""GraphQL request errors: a document that does not parse, validate, or say what to run.

Strawberry returns them without ``extensions.code``; clients written for Apollo Server
branch on ``GRAPHQL_PARSE_FAILED``, ``GRAPHQL_VALIDATION_FAILED`` and
``OPERATION_RESOLUTION_FAILURE``, so `RequestErrors` adds those codes. It also refuses a
document with several operations and no ``operationName``, which the GraphQL spec makes an
error: strawberry would quietly run the first one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension


def operation_resolution_error(message: str, field: str = "operationName") -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": "OPERATION_RESOLUTION_FAILURE", "field": field}
    )


def _with_code(error: GraphQLError, code: str) -> GraphQLError:
    """A copy carrying ``code``: validation errors are cached and shared between requests."""
    if error.extensions and "code" in error.extensions:
        return error
    extensions: dict[str, Any] = {**(error.extensions or {}), "code": code}
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


class RequestErrors(SchemaExtension):
    """Codes for parse and validation errors; an error for an operation left unnamed."""

    requested: str | None = None
    invalid: tuple[GraphQLError, ...] = ()

    def on_operation(self) -> Iterator[None]:
        # Until the document is parsed, `operation_name` is the one the request gave;
        # afterwards strawberry falls back to the first operation's name.
        self.requested = self.execution_context.operation_name
        self.invalid = ()
        try:
            yield
        except GraphQLSyntaxError as error:  # a cached parse raises through the extensions
            raise _with_code(error, "GRAPHQL_PARSE_FAILED") from None
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [self._coded(error) for error in result.errors]

    def on_validate(self) -> Iterator[None]:
        yield
        self.invalid = tuple(self.execution_context.pre_execution_errors or ())

    def on_execute(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        assert document is not None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if self.requested is None and len(operations) > 1:
            names = ", ".join(op.name.value for op in operations if op.name)
            error = operation_resolution_error(
                f"operationName: the query has {len(operations)} operations ({names}); "
                "name the one to run"
            )
            self.execution_context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield

    def _coded(self, error: GraphQLError) -> GraphQLError:
        if isinstance(error, GraphQLSyntaxError):
            return _with_code(error, "GRAPHQL_PARSE_FAILED")
        if any(error is invalid for invalid in self.invalid):
            return _with_code(error, "GRAPHQL_VALIDATION_FAILED")
        return error
