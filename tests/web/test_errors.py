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


def test_rest_refusals_carry_the_code_of_their_status(settings: Settings, keys: Keys) -> None:
    """A webhook's 401 is UNAUTHENTICATED and a public key's 403 FORBIDDEN, as on /graphql."""
    hooks = settings.model_copy(update={"webhook_secret": "hook-secret"})
    with TestClient(create_app(hooks)) as client:
        unsigned = client.post("/v1/webhooks/generic", content=b"{}")
        unknown = client.post("/v1/webhooks/nope", content=b"{}")
        public = client.post("/v1/segments/assign", json={}, headers=headers(keys.public))
        no_clustering = client.post(
            "/v1/segments/assign", json={"viewerId": "anon:a"}, headers=headers(keys.secret)
        )
    with TestClient(create_app(settings)) as client:
        off = client.post("/v1/webhooks/generic", content=b"{}")
    codes = {
        401: _error(unsigned)["extensions"]["code"],
        404: _error(unknown)["extensions"]["code"],
        403: _error(public)["extensions"]["code"],
        409: _error(no_clustering)["extensions"]["code"],
        503: _error(off)["extensions"]["code"],
    }
    assert codes == {
        401: "UNAUTHENTICATED",
        404: "NOT_FOUND",
        403: "FORBIDDEN",
        409: "CONFLICT",
        503: "SERVICE_UNAVAILABLE",
    }
    assert (unsigned.status_code, unknown.status_code, public.status_code) == (401, 404, 403)
    assert (no_clustering.status_code, off.status_code) == (409, 503)
