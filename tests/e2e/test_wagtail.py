"""The Wagtail adapter against a real Wagtail site: pages, variants, locales, outages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from bench.servers import uvicorn_server, veneer_env
from tests.conftest import Keys
from tests.e2e.served import served_title
from tests.e2e.wagtail_server import WagtailServer, wagtail_server
from tests.helpers import data, gql
from tests.postgres import free_port
from veneer.app import create_app
from veneer.content_adapters import InvalidCursor, UnknownContentType
from veneer.content_adapters.registry import adapter_from_setting
from veneer.content_adapters.wagtail import WagtailAdapter
from veneer.settings import Settings
from veneer.store.migrate import migrate

TYPES = "types=article:shop.ArticlePage,product:shop.ProductPage"


WEBHOOK_SECRET = "wagtail-webhook-secret-for-tests"


@pytest.fixture(scope="module")
def veneer_port() -> int:
    """Chosen before Wagtail starts, so the site knows where to post its webhooks."""
    return free_port()


@pytest.fixture(scope="module")
def wagtail(veneer_port: int) -> Iterator[WagtailServer]:
    url = f"http://127.0.0.1:{veneer_port}/v1/webhooks/wagtail"
    with wagtail_server(url, WEBHOOK_SECRET) as server:
        yield server


def _adapter(server: WagtailServer) -> WagtailAdapter:
    adapter = adapter_from_setting(f"wagtail:{server.api}?{TYPES}")
    assert isinstance(adapter, WagtailAdapter)
    return adapter


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_pages_through_all_products_across_wagtails_limit(wagtail: WagtailServer) -> None:
    async def walk() -> tuple[list[str], int]:
        adapter = _adapter(wagtail)
        seen: list[str] = []
        after, pages = None, 0
        while True:
            page = await adapter.list_entries("product", 30, after, None)
            pages += 1
            seen += [e.slug or "" for e in page.entries]
            if not page.has_next_page:
                await adapter.aclose()
                return seen, pages
            after = page.cursors[-1]

    slugs, pages = _run(walk())
    assert slugs == [f"product-{n:02d}" for n in range(1, 26)]
    assert pages == 2, "30 asked, Wagtail gives at most 20 a page: 20 + 5"


def test_a_page_becomes_an_entry_with_its_variants(wagtail: WagtailServer) -> None:
    async def fetch() -> Any:
        adapter = _adapter(wagtail)
        entry = await adapter.get_by_slug("product", "product-01", None)
        assert entry is not None
        again = await adapter.get_entry(entry.id)
        await adapter.aclose()
        return entry, again

    entry, again = _run(fetch())
    assert entry == again
    assert entry.content_type == "product"
    assert entry.locale == "en"
    assert entry.fields["title"] == "Product 01" and entry.fields["price"] == "10.00"
    assert "variants" not in entry.fields
    assert [(v.id, v.audience, v.priority) for v in entry.variants] == [
        ("v-campers", ("campers",), 10),
        ("v-premium", ("premium",), 20),
    ]
    assert entry.variants[0].fields == {"title": "Product 01 for campers"}
    assert entry.updated_at is not None and entry.updated_at.tzinfo is not None


def test_locales_unpublished_pages_and_unknown_ids(wagtail: WagtailServer) -> None:
    async def probe() -> Any:
        adapter = _adapter(wagtail)
        french = await adapter.list_entries("article", 10, None, "fr")
        english = await adapter.list_entries("article", 10, None, "en")
        missing = await adapter.get_entry("99999")
        not_an_id = await adapter.get_entry("../admin")
        draft = await adapter.get_by_slug("article", "unpublished", None)
        await adapter.aclose()
        return french, english, missing, not_an_id, draft

    french, english, missing, not_an_id, draft = _run(probe())
    assert [e.fields["title"] for e in french.entries] == ["Notes de sentier"]
    assert [e.fields["title"] for e in english.entries] == ["Trail notes"]
    assert missing is None and not_an_id is None
    assert draft is None, "drafts are not served"


def test_bad_arguments(wagtail: WagtailServer) -> None:
    async def probe(coro_factory: Any) -> None:
        adapter = _adapter(wagtail)
        try:
            await coro_factory(adapter)
        finally:
            await adapter.aclose()

    with pytest.raises(UnknownContentType, match="known: article, product"):
        _run(probe(lambda a: a.list_entries("recipe", 5, None, None)))
    with pytest.raises(InvalidCursor):
        _run(probe(lambda a: a.list_entries("product", 5, "abc", None)))


def test_graphql_over_wagtail_content(
    wagtail: WagtailServer, settings: Settings, keys: Keys
) -> None:
    over_wagtail = settings.model_copy(update={"content": f"wagtail:{wagtail.api}?{TYPES}"})
    rule = {"trait": "interests", "op": "contains", "value": "camping"}
    with TestClient(create_app(over_wagtail)) as client:
        upsert = (
            'mutation($r: JSON!) { upsertSegment(key: "campers", name: "C", rule: $r) { key } }'
        )
        data(gql(client, upsert, {"r": rule}, key=keys.secret))
        consent = (
            "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) "
            "{ purpose } }"
        )
        data(gql(client, consent, key=keys.public, anonymous_id="w1"))
        data(
            gql(
                client,
                'mutation { identify(traits: {interests: ["camping"]}) { id } }',
                key=keys.public,
                anonymous_id="w1",
            )
        )
        query = """{ entries(contentType: "product", first: 2) {
          edges { node { slug field(name: "title") personalization { variantId reason } } }
          pageInfo { hasNextPage } } }"""
        result = data(gql(client, query, key=keys.public, anonymous_id="w1"))["entries"]

    first = result["edges"][0]["node"]
    assert first["slug"] == "product-01"
    assert first["field"] == "Product 01 for campers"
    assert first["personalization"] == {
        "variantId": "v-campers",
        "reason": "segment `campers` matched variant `v-campers`",
    }
    assert result["pageInfo"]["hasNextPage"] is True


def test_a_cms_that_is_down_is_a_clear_error(settings: Settings, keys: Keys) -> None:
    nowhere = f"wagtail:http://127.0.0.1:{free_port()}/api/v2/?{TYPES}"
    with TestClient(create_app(settings.model_copy(update={"content": nowhere}))) as client:
        body = gql(client, "{ entries(first: 1) { edges { cursor } } }", key=keys.public)
    assert body["errors"][0]["extensions"]["code"] == "CONTENT_UNAVAILABLE"
    assert "the CMS did not answer: ConnectError" in body["errors"][0]["message"]


def test_the_setting_is_checked() -> None:
    from veneer.content_adapters.registry import ContentSettingError

    with pytest.raises(ContentSettingError, match="types must look like"):
        adapter_from_setting("wagtail:http://127.0.0.1:1/api/v2/?types=product")


def test_publishing_in_wagtail_reaches_veneer_at_once(
    wagtail: WagtailServer, veneer_port: int, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'veneer.db'}"
    migrate(Settings(database_url=database))
    env = veneer_env(
        database_url=database,
        content=f"wagtail:{wagtail.api}?{TYPES}",
        webhook_secret=WEBHOOK_SECRET,
        content_cache_ttl="3600",
        demo="1",
    )
    lookup = asyncio.run(
        _adapter_call(wagtail, lambda a: a.get_by_slug("product", "product-02", None))
    )
    with uvicorn_server("veneer.app:create_app", env, factory=True, port=veneer_port) as base:
        assert served_title(base, lookup.id) == "Product 02"
        forged = httpx.post(
            f"{base}/v1/webhooks/wagtail",
            content=b'{"action": "publish", "entryIds": ["%s"]}' % lookup.id.encode(),
            headers={"X-Veneer-Signature": "sha256=" + "0" * 64},
        )
        assert forged.status_code == 401

        wagtail.manage("retitle", "product-02", "Product 02, renamed")

        assert served_title(base, lookup.id) == "Product 02, renamed", "no waiting for the TTL"


async def _adapter_call(server: WagtailServer, call: Any) -> Any:
    adapter = _adapter(server)
    try:
        return await call(adapter)
    finally:
        await adapter.aclose()


def test_when_wagtail_is_down_seen_content_is_served_stale(
    wagtail: WagtailServer, settings: Settings, keys: Keys
) -> None:
    no_fresh_cache = settings.model_copy(
        update={"content": f"wagtail:{wagtail.api}?{TYPES}", "content_cache_ttl": 0}
    )
    seen = '{ entries(contentType: "article", first: 5) { edges { node { slug } } } }'
    unseen = '{ entries(contentType: "product", first: 5) { edges { node { slug } } } }'
    with TestClient(create_app(no_fresh_cache)) as client:
        fresh = gql(client, seen, key=keys.public)
        assert "extensions" not in fresh or not fresh["extensions"].get("stale")
        wagtail.stop()
        try:
            stale = gql(client, seen, key=keys.public)
            never_seen = gql(client, unseen, key=keys.public)
        finally:
            wagtail.start()
    assert stale["data"] == fresh["data"]
    assert stale["extensions"]["stale"] is True
    assert never_seen["errors"][0]["extensions"]["code"] == "CONTENT_UNAVAILABLE"
