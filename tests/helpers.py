"""Small helpers for talking to the API the way a client does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.testclient import TestClient

from veneer.jobs.worker import WorkerOptions, process_batch
from veneer.services import Services


def headers(key: str, anonymous_id: str | None = None, **extra: str) -> dict[str, str]:
    result = {"Authorization": f"Bearer {key}"}
    if anonymous_id is not None:
        result["X-Veneer-Anonymous-Id"] = anonymous_id
    result.update(extra)
    return result


def gql(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    key: str,
    anonymous_id: str | None = None,
    **extra_headers: str,
) -> dict[str, Any]:
    """POST a GraphQL operation; returns the JSON body (``data`` and maybe ``errors``)."""
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers(key, anonymous_id, **extra_headers),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def data(body: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of a response that must have no errors."""
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def error_messages(body: dict[str, Any]) -> list[str]:
    return [e["message"] for e in body.get("errors", [])]


def settle(client: TestClient) -> None:
    """Let the worker fold every streamed event in (a no-op for the embedded deployment).

    Runs the real worker step in the app's own event loop until the stream is drained; the
    worker as a separate process is exercised in tests/jobs/test_pipeline.py.
    """
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    if services.stream is None:
        return
    stream = services.stream
    options = WorkerOptions(name="test-worker", block_ms=1, reclaim_idle_ms=60_000)

    async def drain() -> None:
        await stream.ensure_group()
        while await process_batch(services, stream, options):
            pass

    assert client.portal is not None, "use the TestClient as a context manager"
    client.portal.call(drain)


@dataclass(frozen=True)
class Streamed:
    response: httpx.Response
    chunks_read: int  # how many chunks the app pulled before it answered


def post_in_chunks(
    client: TestClient, path: str, headers: dict[str, str], chunk: bytes, chunks: int
) -> Streamed:
    """POST ``chunks`` copies of ``chunk`` as a chunked body, counting how many the app reads.

    httpx's ASGI transport hands the app one chunk per ``receive()`` and only when asked, as a
    server does, so the count says where the app stopped reading. Without an explicit
    Content-Length header the body goes out chunked, declaring no length.
    """
    read = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(chunks):
            read += 1
            yield chunk

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            return await http.post(path, content=body(), headers=headers)

    assert client.portal is not None, "use the TestClient as a context manager"
    response = client.portal.call(post)
    return Streamed(response, read)
