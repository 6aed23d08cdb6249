"""``/graphql`` over HTTP: every request it cannot run is answered as a GraphQL JSON error.

Transport errors (a request that is not well formed) are 4xx; a well-formed request whose
document does not parse, validate or name its operation is a 200 with ``errors``, as the
GraphQL-over-HTTP spec asks of ``application/json`` responses. Each error has an Apollo
Server code in ``extensions.code``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql, headers, post_in_chunks
from veneer.app import create_app
from veneer.graphql.transport import QUERY_ALLOWANCE
from veneer.settings import Settings

VIEWER = "{ viewer { id } }"
JSON = {"Content-Type": "application/json"}


def _post(client: TestClient, keys: Keys, body: bytes, **extra: str) -> Any:
    return client.post("/graphql", content=body, headers={**headers(keys.public, "t1"), **extra})


def _only_error(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json"
    errors = response.json()["errors"]
    assert len(errors) == 1
    error: dict[str, Any] = errors[0]
    return error


@pytest.mark.parametrize("body", [b"null", b"42", b'"x"', b"true"])
def test_json_that_is_not_an_object_is_a_400(client: TestClient, keys: Keys, body: bytes) -> None:
    response = _post(client, keys, body, **JSON)
    assert response.status_code == 400
    error = _only_error(response)
    assert error["extensions"] == {"code": "BAD_REQUEST", "field": "body"}
    assert error["message"].startswith("body: must be a JSON object such as")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (b"", "body", "body: not valid JSON"),
        (b"{not json", "body", "body: not valid JSON"),
        (b"[]", "body", "body: batched operations are not supported"),
        (b"{}", "query", "query: missing"),
        (b'{"query": 5}', "query", "query: must be a string or null"),
        (b'{"query": "{ viewer { id } }", "variables": []}', "variables", "variables: must be"),
        (b'{"query": "{ viewer { id } }", "operationName": 1}', "operationName", "operationName:"),
        (b'{"query": "{ viewer { id } }", "extensions": "x"}', "extensions", "extensions: must"),
    ],
)
def test_a_malformed_request_is_a_400_naming_the_field(
    client: TestClient, keys: Keys, body: bytes, field: str, message: str
) -> None:
    response = _post(client, keys, body, **JSON)
    assert response.status_code == 400
    error = _only_error(response)
    assert error["extensions"] == {"code": "BAD_REQUEST", "field": field}
    assert error["message"].startswith(message)


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/graphql", "multipart/form-data; boundary=x"]
)
def test_a_body_that_is_not_json_is_a_415(
    client: TestClient, keys: Keys, content_type: str | None
) -> None:
    extra = {"Content-Type": content_type} if content_type else {}
    response = _post(client, keys, b'{"query": "{ viewer { id } }"}', **extra)
    assert response.status_code == 415
    error = _only_error(response)
    assert error["extensions"] == {"code": "UNSUPPORTED_MEDIA_TYPE", "field": "Content-Type"}
    assert error["message"] == f"Content-Type: send application/json (got {content_type or 'none'})"


def test_json_with_a_charset_is_json(client: TestClient, keys: Keys) -> None:
    body = b'{"query": "{ viewer { id } }"}'
    response = _post(client, keys, body, **{"Content-Type": "Application/JSON; charset=utf-8"})
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"id": "anon:t1"}}}


def test_a_syntax_error_is_graphql_parse_failed(client: TestClient, keys: Keys) -> None:
    body = gql(client, "{ viewer { id ", key=keys.public, anonymous_id="t1")
    assert body["errors"][0]["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert body["errors"][0]["message"].startswith("Syntax Error")


def test_an_invalid_query_is_graphql_validation_failed(client: TestClient, keys: Keys) -> None:
    for _ in range(2):  # the second answer comes from the validation cache
        body = gql(client, "{ viewer { nope } }", key=keys.public, anonymous_id="t1")
        assert body["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
        assert "Cannot query field 'nope'" in body["errors"][0]["message"]


def _operations(client: TestClient, keys: Keys, document: dict[str, Any]) -> Any:
    response = client.post("/graphql", json=document, headers=headers(keys.public, "t3"))
    assert response.status_code == 200
    return response.json()


GRANT_THEN_READ = """
mutation Grant { setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) { purpose } }
query Read { viewer { consent { purpose granted } } }
"""


def test_several_operations_without_an_operation_name_run_none(
    client: TestClient, keys: Keys
) -> None:
    body = _operations(client, keys, {"query": GRANT_THEN_READ})
    assert body["errors"] == [
        {
            "message": "operationName: the query has 2 operations (Grant, Read); "
            "name the one to run",
            "extensions": {"code": "OPERATION_RESOLUTION_FAILURE", "field": "operationName"},
        }
    ]
    read = _operations(client, keys, {"query": GRANT_THEN_READ, "operationName": "Read"})
    granted = {c["purpose"]: c["granted"] for c in data(read)["viewer"]["consent"]}
    assert granted["ANALYTICS"] is False  # the first operation, a mutation, did not run


def test_an_unknown_operation_name_is_operation_resolution_failure(
    client: TestClient, keys: Keys
) -> None:
    body = _operations(client, keys, {"query": GRANT_THEN_READ, "operationName": "Nope"})
    assert body["errors"] == [
        {
            "message": "operationName: no operation named 'Nope' in the query",
            "extensions": {"code": "OPERATION_RESOLUTION_FAILURE", "field": "operationName"},
        }
    ]


def test_a_query_of_fragments_only_is_operation_resolution_failure(
    client: TestClient, keys: Keys
) -> None:
    body = _operations(client, keys, {"query": "fragment F on Query { viewer { id } }"})
    assert body["errors"] == [
        {
            "message": "query: holds no operation to run",
            "extensions": {"code": "OPERATION_RESOLUTION_FAILURE", "field": "query"},
        }
    ]


def test_get_runs_queries(client: TestClient, keys: Keys) -> None:
    response = client.get(
        "/graphql",
        params={
            "query": "query($n: Int) { entries(first: $n) { edges { cursor } } }",
            "variables": '{"n": 2}',
        },
        headers=headers(keys.public, "t4"),
    )
    assert response.status_code == 200
    assert len(data(response.json())["entries"]["edges"]) == 2


def test_get_refuses_mutations_with_a_405(client: TestClient, keys: Keys) -> None:
    response = client.get(
        "/graphql",
        params={"query": "mutation { forgetViewer }"},
        headers=headers(keys.public, "t4"),
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert _only_error(response) == {
        "message": "GET: a mutation must be sent with POST",
        "extensions": {"code": "METHOD_NOT_ALLOWED"},
    }


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"query": VIEWER, "variables": "{oops"}, "variables", "variables: not valid JSON"),
        ({"variables": "{}"}, "query", "query: missing"),
    ],
)
def test_a_malformed_get_is_a_400_naming_the_field(
    client: TestClient, keys: Keys, params: dict[str, str], field: str, message: str
) -> None:
    response = client.get(
        "/graphql", params=params, headers=headers(keys.public, "t4", Accept="application/json")
    )
    assert response.status_code == 400
    error = _only_error(response)
    assert error["extensions"] == {"code": "BAD_REQUEST", "field": field}
    assert error["message"].startswith(message)


BATCH_LIMIT = 2_000
BODY_LIMIT = BATCH_LIMIT + QUERY_ALLOWANCE


@pytest.fixture
def small(settings: Settings) -> Iterator[TestClient]:
    limits = settings.model_copy(update={"max_batch_bytes": BATCH_LIMIT})
    with TestClient(create_app(limits), base_url="http://127.0.0.1") as client:
        yield client


def _too_large(response: Any) -> None:
    assert response.status_code == 413
    assert _only_error(response) == {
        "message": f"body: larger than {BODY_LIMIT} bytes",
        "extensions": {"code": "PAYLOAD_TOO_LARGE", "field": "body"},
    }


def test_a_body_over_the_limit_is_a_413(small: TestClient, keys: Keys) -> None:
    query = "{ viewer { id } }" + " " * BODY_LIMIT
    response = small.post("/graphql", json={"query": query}, headers=headers(keys.public, "t5"))
    _too_large(response)


def test_a_chunked_body_is_cut_off_once_over_the_limit(small: TestClient, keys: Keys) -> None:
    chunk = 4096
    streamed = post_in_chunks(
        small,
        "/graphql",
        {**headers(keys.public, "t5"), **JSON},
        b" " * chunk,
        4 * BODY_LIMIT // chunk,
    )
    _too_large(streamed.response)
    assert streamed.chunks_read == BODY_LIMIT // chunk + 1


def test_a_declared_length_over_the_limit_is_refused_unread(small: TestClient, keys: Keys) -> None:
    declared = {**headers(keys.public, "t5"), **JSON, "Content-Length": str(BODY_LIMIT + 1)}
    streamed = post_in_chunks(small, "/graphql", declared, b" " * (BODY_LIMIT + 1), 1)
    _too_large(streamed.response)
    assert streamed.chunks_read == 0
