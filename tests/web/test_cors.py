"""Browsers on the site's own origins may call the API; others are not let in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from veneer.app import create_app
from veneer.settings import Settings

PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type,x-veneer-anonymous-id",
}


def test_a_configured_origin_passes_the_preflight(settings: Settings) -> None:
    shop = settings.model_copy(
        update={"cors_origins": "https://shop.example, https://m.shop.example"}
    )
    with TestClient(create_app(shop)) as client:
        allowed = client.options(
            "/v1/events", headers={"Origin": "https://m.shop.example", **PREFLIGHT}
        )
        refused = client.options(
            "/v1/events", headers={"Origin": "https://evil.example", **PREFLIGHT}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://m.shop.example"
    assert "x-veneer-anonymous-id" in allowed.headers["access-control-allow-headers"].lower()
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_no_origin_is_allowed_by_default(client: TestClient) -> None:
    response = client.options("/graphql", headers={"Origin": "https://shop.example", **PREFLIGHT})
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(("text", "expected"), [("300", 300), ("2.5", 2.5), ("PT1M", 60)])
def test_durations_are_read_in_seconds_or_iso_8601(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: float
) -> None:
    monkeypatch.setenv("VENEER_DEDUPE_HORIZON", text)
    assert Settings().dedupe_horizon == timedelta(seconds=expected)
