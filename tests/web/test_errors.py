"""Every path answers errors as JSON in GraphQL's shape, with an Apollo-style code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET, Keys
from tests.helpers import headers
from veneer.app import create_app
from veneer.settings import Settings


def _error(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json"
    errors = response.json()["errors"]
    assert len(errors) == 1
    error: dict[str, Any] = errors[0]
    return error


@pytest.mark.parametrize("path", ["/nope", "/v1/nope", "/graphql/nope"])
def test_an_unknown_path_is_a_json_404(client: TestClient, keys: Keys, path: str) -> None:
    response = client.get(path, headers=headers(keys.secret))
    assert response.status_code == 404
    assert _error(response) == {
        "message": f"no endpoint at {path}",
        "extensions": {"code": "NOT_FOUND"},
    }


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/v1/events", "POST"),
        ("DELETE", "/v1/consent", "GET, HEAD, POST"),
        ("PUT", "/graphql", "GET, HEAD, POST"),
        ("POST", "/health", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_a_json_405_that_says_what_is_allowed(
    client: TestClient, keys: Keys, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path, headers=headers(keys.public, "e1"))
    assert response.status_code == 405
    assert sorted(response.headers["allow"].split(", ")) == allowed.split(", ")
    error = _error(response)
    assert error["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
    assert error["message"].startswith(f"{method} {path}: method not allowed here; allowed: ")


def test_an_unexpected_failure_is_a_json_500_without_internals(tmp_path: Path) -> None:
    """A database that was never migrated fails the key lookup with an SQL error."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'unmigrated.db'}",
        secret=TEST_SECRET,
        content="sample",
        demo=True,
    )
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        response = client.get("/v1/consent", headers=headers("pk_demo", "e2"))
    assert response.status_code == 500
    assert _error(response) == {
        "message": "Unexpected error.",
        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
    }
