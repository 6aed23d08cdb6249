"""Logs as JSON lines naming the request they are about; every answer names its request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.conftest import Keys
from veneer import logs
from veneer.app import create_app
from veneer.settings import Settings


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """What Veneer logs while the test runs, as `veneer serve` writes it."""
    out = io.StringIO()
    handler = logs.handler("json")
    handler.setStream(out)  # type: ignore[attr-defined]
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


def test_every_answer_names_its_request(client: TestClient) -> None:
    made = client.get("/health").headers["X-Request-Id"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/health").headers["X-Request-Id"] != made
    passed_on = client.get("/health", headers={"X-Request-Id": "lb-7f3a.1"})
    assert passed_on.headers["X-Request-Id"] == "lb-7f3a.1", "a load balancer's id is kept"
    forged = client.get("/health", headers={"X-Request-Id": "x" * 200})
    assert len(forged.headers["X-Request-Id"]) == 32, "an id that could fill a log is not"


def test_a_failure_is_logged_as_json_with_the_id_its_answer_gave(
    settings: Settings, keys: Keys, logged: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        services = client.app.state.services  # type: ignore[attr-defined]

        async def broken(fresh: bool = False) -> None:
            raise RuntimeError("injected: the segments table is gone")

        monkeypatch.setattr(services, "segment_definitions", broken)
        response = client.post(
            "/graphql",
            json={"query": "{ segments { key } }"},
            headers={"Authorization": f"Bearer {keys.secret}"},
        )
    assert response.json()["errors"][0]["message"] == "Unexpected error."
    lines = [json.loads(line) for line in logged.getvalue().splitlines()]
    named = response.headers["X-Request-Id"]
    (failure,) = [x for x in lines if "injected" in json.dumps(x) and x["request_id"] == named]
    assert failure["level"] == "ERROR" and {"time", "logger", "message"} <= set(failure)


def test_lines_outside_a_request_carry_no_id(logged: io.StringIO) -> None:
    logging.getLogger("veneer.test").warning("housekeeping says %s", "hello")
    (line,) = [json.loads(x) for x in logged.getvalue().splitlines()]
    assert line["message"] == "housekeeping says hello" and line["request_id"] is None


def test_a_crash_answers_500_with_the_request_id(settings: Settings) -> None:
    """The server logs the crash under that id (uvicorn, in the request's context)."""
    app = create_app(settings)

    async def crash(request: Request) -> Response:
        raise RuntimeError("injected: a bug outside GraphQL")

    app.router.routes.append(Route("/crash", crash))
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        response = client.get("/crash", headers={"X-Request-Id": "lb-crash.1"})
    assert response.status_code == 500
    assert response.headers["X-Request-Id"] == "lb-crash.1"
    assert response.json()["errors"][0]["message"] == "Unexpected error."
