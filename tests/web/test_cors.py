"""Pages on a key's own sites may call the API from a browser; other pages are refused."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.helpers import headers
from veneer.app import create_app
from veneer.identity.keys import KeyKind
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.keys import create_key

PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type,x-veneer-anonymous-id",
}
SHOP = "https://shop.example"
OTHER_SHOP = "https://other-shop.example"


def _public_key(settings: Settings, *origins: str) -> str:
    async def make() -> str:
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                plain, _ = await create_key(session, KeyKind.PUBLIC, "site", origins)
            return plain
        finally:
            await db.dispose()

    return asyncio.run(make())


def _preflight(client: TestClient, origin: str, path: str = "/v1/events") -> int:
    response = client.options(path, headers={"Origin": origin, **PREFLIGHT})
    allowed = response.headers.get("access-control-allow-origin")
    assert allowed in (origin, None)
    return response.status_code if allowed else -response.status_code


def test_the_preflight_passes_for_origins_some_key_allows(settings: Settings) -> None:
    _public_key(settings, SHOP)
    _public_key(settings, OTHER_SHOP, "http://localhost:*")
    with TestClient(create_app(settings)) as client:
        answer = client.options("/v1/events", headers={"Origin": SHOP, **PREFLIGHT})
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == SHOP
        assert "x-veneer-anonymous-id" in answer.headers["access-control-allow-headers"].lower()
        assert answer.headers["access-control-max-age"] == "600"
        assert "origin" in answer.headers["vary"].lower()
        assert _preflight(client, OTHER_SHOP, "/graphql") == 200
        assert _preflight(client, "http://localhost:3000") == 200

        refused = client.options(
            "/v1/events", headers={"Origin": "https://evil.example", **PREFLIGHT}
        )
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
        assert (
            "https://evil.example is not allowed by any key"
            in refused.json()["errors"][0]["message"]
        )


def test_a_preflight_for_an_unknown_header_or_method_is_refused(settings: Settings) -> None:
    _public_key(settings, SHOP)
    with TestClient(create_app(settings)) as client:
        header = client.options(
            "/v1/events",
            headers={
                "Origin": SHOP,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-secret-sauce",
            },
        )
        method = client.options(
            "/v1/events", headers={"Origin": SHOP, "Access-Control-Request-Method": "DELETE"}
        )
    assert header.status_code == 400 and "x-secret-sauce not allowed" in header.text
    assert method.status_code == 400 and "DELETE is not allowed" in method.text


def test_a_request_from_the_key_s_own_origin_can_be_read(settings: Settings) -> None:
    key = _public_key(settings, SHOP)
    with TestClient(create_app(settings)) as client:
        response = client.get("/v1/consent", headers={"Origin": SHOP, **headers(key, "browser-1")})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SHOP
    assert "origin" in response.headers["vary"].lower()
    assert response.headers["access-control-expose-headers"] == "X-Request-Id"
    assert response.headers["x-request-id"], "which the page can quote in a bug report"


def test_a_request_from_another_key_s_origin_is_refused(settings: Settings) -> None:
    """The preflight passed (another key allows the origin); this key does not."""
    key = _public_key(settings, SHOP)
    _public_key(settings, OTHER_SHOP)
    with TestClient(create_app(settings)) as client:
        assert _preflight(client, OTHER_SHOP) == 200
        response = client.post(
            "/v1/events",
            json=[{"id": "e1", "type": "page_view"}],
            headers={"Origin": OTHER_SHOP, **headers(key, "browser-1")},
        )
    assert response.status_code == 403
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "Origin"}
    assert f"pages on {OTHER_SHOP} may not use this key" in error["message"]
    assert response.headers["access-control-allow-origin"] == OTHER_SHOP, "so the page can read why"


def test_a_key_without_origins_is_refused_to_every_page(settings: Settings) -> None:
    key = _public_key(settings)
    with TestClient(create_app(settings)) as client:
        response = client.get("/v1/consent", headers={"Origin": SHOP, **headers(key, "b-1")})
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


def test_requests_without_an_origin_are_not_affected(settings: Settings) -> None:
    """Servers and mobile apps send no Origin: a key's origins say nothing about them."""
    with_origins, without = _public_key(settings, SHOP), _public_key(settings)
    with TestClient(create_app(settings)) as client:
        for key in (with_origins, without):
            response = client.get("/v1/consent", headers=headers(key, "app-1"))
            assert response.status_code == 200
            assert "access-control-allow-origin" not in response.headers


def test_veneer_s_own_pages_use_any_key(settings: Settings) -> None:
    """GraphiQL posts with an Origin of Veneer's own address."""
    key = _public_key(settings)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        response = client.get(
            "/v1/consent", headers={"Origin": "http://127.0.0.1:8000", **headers(key, "b-1")}
        )
    assert response.status_code == 200


def test_configured_origins_still_work_for_every_key(settings: Settings) -> None:
    """VENEER_CORS_ORIGINS, from before keys had origins, allows its origins to every key."""
    shop = settings.model_copy(
        update={"cors_origins": "https://shop.example, https://m.shop.example"}
    )
    key = _public_key(shop)
    with TestClient(create_app(shop)) as client:
        assert _preflight(client, "https://m.shop.example") == 200
        assert _preflight(client, "https://evil.example") == -400
        response = client.get(
            "/v1/consent", headers={"Origin": "https://m.shop.example", **headers(key, "b-1")}
        )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://m.shop.example"


def test_a_wrong_configured_origin_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match=r"shop\.example/cart"):
        Settings(cors_origins="https://shop.example/cart")


def test_no_origin_is_allowed_by_default(client: TestClient) -> None:
    response = client.options("/graphql", headers={"Origin": "https://shop.example", **PREFLIGHT})
    assert "access-control-allow-origin" not in response.headers


def test_the_demo_key_works_from_pages_on_this_machine(settings: Settings) -> None:
    demo = settings.model_copy(update={"demo": True})
    with TestClient(create_app(demo)) as client:
        assert _preflight(client, "http://127.0.0.1:51234") == 200
        assert _preflight(client, "http://localhost:3000") == 200
        assert _preflight(client, SHOP) == -400
        own = client.get(
            "/v1/consent", headers={"Origin": "http://localhost:3000", **headers("pk_demo", "d")}
        )
        elsewhere = client.get("/v1/consent", headers={"Origin": SHOP, **headers("pk_demo", "d")})
    assert own.status_code == 200
    assert elsewhere.status_code == 403


@pytest.mark.parametrize(("text", "expected"), [("300", 300), ("2.5", 2.5), ("PT1M", 60)])
def test_durations_are_read_in_seconds_or_iso_8601(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: float
) -> None:
    monkeypatch.setenv("VENEER_DEDUPE_HORIZON", text)
    assert Settings().dedupe_horizon == timedelta(seconds=expected)
