"""``POST /v1/webhooks/{source}``: verified, read in each CMS's shape, then invalidation."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from veneer.app import create_app
from veneer.plugin.webhooks import sign
from veneer.settings import Settings

SECRET = "hook-secret"


@pytest.fixture
def hooks(settings: Settings) -> Any:
    with TestClient(create_app(settings.model_copy(update={"webhook_secret": SECRET}))) as client:
        yield client


def _signed(client: TestClient, source: str, payload: object, **headers: str) -> Any:
    body = orjson.dumps(payload)
    return client.post(
        f"/v1/webhooks/{source}",
        content=body,
        headers={"X-Veneer-Signature": sign(body, SECRET), **headers},
    )


def test_a_signed_webhook_drops_the_content_cache(hooks: TestClient, settings: Settings) -> None:
    services = hooks.app.state.services  # type: ignore[attr-defined]
    assert hooks.portal is not None
    hooks.portal.call(services.content.get_entry, "tent-x2")
    cached = hooks.portal.call(services.cache.get, 'content:file:["id","tent-x2"]')
    assert cached is not None

    response = _signed(hooks, "wagtail", {"action": "publish", "entryIds": ["tent-x2"]})

    assert response.status_code == 200
    assert response.json() == {"invalidated": ["tent-x2"], "action": "publish"}
    assert hooks.portal.call(services.cache.get, 'content:file:["id","tent-x2"]') is None


@pytest.mark.parametrize(
    ("source", "payload", "headers", "expected"),
    [
        (
            "strapi",
            {"event": "entry.unpublish", "model": "article", "entry": {"documentId": "abc"}},
            {},
            ("unpublish", ["abc"]),
        ),
        (
            "contentful",
            {"sys": {"id": "5KsDBWseXY6QegucYAoacS", "type": "Entry"}},
            {"X-Contentful-Topic": "ContentManagement.Entry.publish"},
            ("publish", ["5KsDBWseXY6QegucYAoacS"]),
        ),
        ("wordpress", {"ID": 42, "post_status": "publish"}, {}, ("update", ["42"])),
        (
            "directus",
            {"event": "articles.items.update", "collection": "articles", "keys": ["1", 2]},
            {},
            ("update", ["articles:1", "articles:2"]),
        ),
        (
            "directus",
            {"event": "items.create", "collection": "articles", "key": 7, "payload": {}},
            {},
            ("create", ["articles:7"]),
        ),
    ],
)
def test_shared_secret_sources_in_their_own_shapes(
    hooks: TestClient, source: str, payload: object, headers: dict[str, str], expected: Any
) -> None:
    response = hooks.post(
        f"/v1/webhooks/{source}",
        content=orjson.dumps(payload),
        headers={"X-Veneer-Webhook-Secret": SECRET, **headers},
    )
    assert response.status_code == 200
    assert (response.json()["action"], response.json()["invalidated"]) == expected


@pytest.mark.parametrize(
    ("source", "body", "headers", "status", "message"),
    [
        (
            "wagtail",
            b'{"action": "publish", "entryIds": ["1"]}',
            {},
            401,
            "X-Veneer-Signature: missing",
        ),
        (
            "wagtail",
            b'{"action": "publish", "entryIds": ["1"]}',
            {"X-Veneer-Signature": "sha256=" + "0" * 64},
            401,
            "does not match the body",
        ),
        (
            "strapi",
            b'{"event": "entry.publish", "entry": {"id": 1}}',
            {"X-Veneer-Webhook-Secret": "guess"},
            401,
            "wrong secret",
        ),
        ("drupal", b"{}", {}, 404, "unknown webhook source 'drupal'"),
        (
            "directus",
            b'{"event": "items.update", "keys": [1]}',
            {"X-Veneer-Webhook-Secret": SECRET},
            400,
            "event and collection: a Directus webhook has both",
        ),
    ],
)
def test_unsigned_or_forged_webhooks_are_refused(
    hooks: TestClient, source: str, body: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    response = hooks.post(f"/v1/webhooks/{source}", content=body, headers=headers)
    assert response.status_code == status
    assert message in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([1, 2], "body: must be a JSON object"),
        ({"entryIds": ["1"]}, "action: must name the change"),
        ({"action": "publish", "entryIds": []}, "entryIds: must be a non-empty list"),
        ({"action": "publish", "entryIds": [True]}, "entryIds: must be strings or numbers"),
    ],
)
def test_malformed_but_signed_webhooks_are_400(
    hooks: TestClient, payload: object, message: str
) -> None:
    response = _signed(hooks, "generic", payload)
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


def test_signed_garbage_is_400_not_500(hooks: TestClient) -> None:
    body = b"{not json"
    response = hooks.post(
        "/v1/webhooks/generic", content=body, headers={"X-Veneer-Signature": sign(body, SECRET)}
    )
    assert response.status_code == 400


def test_webhooks_are_off_without_a_secret(client: TestClient) -> None:
    response = client.post("/v1/webhooks/generic", content=b"{}")
    assert response.status_code == 503
    assert "VENEER_WEBHOOK_SECRET" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("source", "header"), [("generic", "X-Veneer-Signature"), ("strapi", "X-Veneer-Webhook-Secret")]
)
def test_non_ascii_credentials_are_401_not_500(hooks: TestClient, source: str, header: str) -> None:
    response = hooks.post(
        f"/v1/webhooks/{source}",
        content=b"{}",
        headers={header: "sécret".encode()},
    )
    assert response.status_code == 401
