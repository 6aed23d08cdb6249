"""Every endpoint reads its body through one size-limited reader and answers a 413.

Refusing a body must not mean buffering it first: a declared length over the limit is
refused before a byte is read, and a chunked body, which declares no length, is cut off
at the chunk that passes the limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.requests import ClientDisconnect, Request
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import headers, post_in_chunks
from veneer.app import create_app
from veneer.settings import Settings
from veneer.web import consent, segments, webhooks
from veneer.web.bodies import read_body

CHUNK = 4096
BATCH_LIMIT = 40_000

# path, the headers that get a request past authentication, the endpoint's limit
Endpoint = tuple[str, Callable[[Keys], dict[str, str]], int]
ENDPOINTS: dict[str, Endpoint] = {
    "events": ("/v1/events", lambda keys: headers(keys.public, "b1"), BATCH_LIMIT),
    "consent": ("/v1/consent", lambda keys: headers(keys.public, "b1"), consent.MAX_BODY),
    "assign": ("/v1/segments/assign", lambda keys: headers(keys.secret), segments.MAX_BODY),
    "webhooks": ("/v1/webhooks/generic", lambda keys: {}, webhooks.MAX_BODY),
}


@pytest.fixture
def app(settings: Settings) -> Iterator[TestClient]:
    limits = settings.model_copy(update={"webhook_secret": "s", "max_batch_bytes": BATCH_LIMIT})
    with TestClient(create_app(limits), base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture(params=sorted(ENDPOINTS))
def endpoint(request: pytest.FixtureRequest) -> Endpoint:
    return ENDPOINTS[request.param]


def _is_413(response: Any, limit: int) -> None:
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": f"body: larger than {limit} bytes",
                "extensions": {"code": "PAYLOAD_TOO_LARGE", "field": "body"},
            }
        ]
    }


def test_a_body_over_the_limit_is_413(app: TestClient, keys: Keys, endpoint: Endpoint) -> None:
    path, auth, limit = endpoint
    body = b"[" + b" " * limit + b"]"
    response = app.post(path, content=body, headers={**auth(keys), "Content-Type": "text/json"})
    _is_413(response, limit)


def test_a_body_at_the_limit_is_read(app: TestClient, keys: Keys, endpoint: Endpoint) -> None:
    path, auth, limit = endpoint
    body = b"[" + b" " * (limit - 2) + b"]"
    response = app.post(path, content=body, headers={**auth(keys), "Content-Type": "text/json"})
    assert response.status_code != 413


def test_a_declared_length_over_the_limit_is_refused_unread(
    app: TestClient, keys: Keys, endpoint: Endpoint
) -> None:
    path, auth, limit = endpoint
    declared = {**auth(keys), "Content-Length": str(limit + 1)}
    streamed = post_in_chunks(app, path, declared, b" " * (limit + 1), chunks=1)
    _is_413(streamed.response, limit)
    assert streamed.chunks_read == 0


def test_a_chunked_body_is_cut_off_once_over_the_limit(
    app: TestClient, keys: Keys, endpoint: Endpoint
) -> None:
    path, auth, limit = endpoint
    streamed = post_in_chunks(app, path, auth(keys), b" " * CHUNK, chunks=4 * limit // CHUNK)
    _is_413(streamed.response, limit)
    assert "content-length" not in streamed.response.request.headers
    assert streamed.chunks_read == limit // CHUNK + 1


def test_a_content_length_of_other_digits_is_not_taken_for_a_length() -> None:
    """``str.isdigit`` says yes to "²", which ``int`` refuses: the body is read and measured."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "headers": [(b"content-length", "²".encode("latin-1"))],
    }
    assert asyncio.run(read_body(Request(scope, receive), 10)) == b"{}"


def _receiving(*messages: dict[str, Any]) -> Callable[[], Any]:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return receive


def _posted(receive: Callable[[], Any]) -> Request:
    return Request({"type": "http", "method": "POST", "headers": []}, receive)


def test_a_body_in_several_messages_is_read_whole() -> None:
    receive = _receiving(
        {"type": "http.request", "body": b'{"a":', "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b"1}", "more_body": False},
    )
    assert asyncio.run(read_body(_posted(receive), 10)) == b'{"a":1}'


def test_a_client_gone_mid_body_is_no_body() -> None:
    """Half a body is never taken for the whole of one."""
    receive = _receiving(
        {"type": "http.request", "body": b'{"a":', "more_body": True},
        {"type": "http.disconnect"},
    )
    with pytest.raises(ClientDisconnect):
        asyncio.run(read_body(_posted(receive), 10))
