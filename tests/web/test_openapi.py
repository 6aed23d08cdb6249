"""``GET /v1/openapi.json``: a valid OpenAPI 3.1 document that cannot drift from the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET
from veneer.app import create_app
from veneer.events.validation import ENVELOPE
from veneer.plugin.webhooks import SOURCES
from veneer.settings import Settings

# For browsers, not an API: the demo page, assets, and Insights' pages and forms.
UNDOCUMENTED = {"/", "/static/graphiql/{name}", "/widgets/{name}"}


def _undocumented(path: str) -> bool:
    return path in UNDOCUMENTED or path == "/insights" or path.startswith("/insights/")


@pytest.fixture
def api(tmp_path: Path) -> TestClient:
    """The app without its lifespan: serving the document needs no database."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        secret=TEST_SECRET,
        content="sample",
        max_batch_events=7,
    )
    return TestClient(create_app(settings), base_url="http://127.0.0.1")


def _document(api: TestClient) -> dict[str, Any]:
    response = api.get("/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_the_document_is_served_without_a_key_and_may_be_cached(api: TestClient) -> None:
    response = api.get("/v1/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert response.json()["openapi"] == "3.1.0"


def test_the_document_is_valid_openapi_3_1(api: TestClient) -> None:
    validate(_document(api))


def test_every_endpoint_and_method_is_documented(api: TestClient) -> None:
    served = {
        (route.path, method.lower())
        for route in api.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route) and not _undocumented(route.path)
        for method in route.methods or ()
        if method != "HEAD"
    }
    documented = {
        (path, method)
        for path, item in _document(api)["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert documented == served


def test_events_are_described_by_the_model_that_validates_them(api: TestClient) -> None:
    document = _document(api)
    body = document["paths"]["/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["items"] == {"$ref": "#/components/schemas/Event"}
    assert body["schema"]["maxItems"] == 7, "the deployment's VENEER_MAX_BATCH_EVENTS"
    event = document["components"]["schemas"]["Event"]
    model = ENVELOPE.json_schema(by_alias=True)
    assert event["properties"] == model["properties"]
    assert event["required"] == model["required"] == ["id", "type"]
    assert event["additionalProperties"] is False


def test_webhook_sources_are_the_ones_verified(api: TestClient) -> None:
    hook = _document(api)["paths"]["/v1/webhooks/{source}"]["post"]
    (source,) = [p for p in hook["parameters"] if p["in"] == "path"]
    assert source["schema"]["enum"] == list(SOURCES)
    assert hook["security"] == [], "signed by the CMS, not sent with an API key"
