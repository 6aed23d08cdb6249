"""The Wagtail adapter against a real Wagtail site: pages, variants, locales, outages.

The site has a shop (article and product pages, which the tests name in ``types``) and a
kitchen (recipe pages and a subclass of them) that only discovery finds.
"""

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
from tests.jobs.recs_shop import Clock, shelf_shop
from tests.postgres import free_port
from veneer.app import create_app
from veneer.content_adapters import InvalidCursor, UnknownContentType
from veneer.content_adapters.http import ResilientClient
from veneer.content_adapters.registry import adapter_from_setting
from veneer.content_adapters.wagtail import WagtailAdapter
from veneer.jobs.recs_training import train
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.itempop import ItemPop
from veneer.services import Services
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
    async def walk(first: int) -> tuple[list[str], int]:
        adapter = _adapter(wagtail)
        seen: list[str] = []
        after, pages = None, 0
        while True:
            page = await adapter.list_entries("product", first, after, None)
            pages += 1
            seen += [e.slug or "" for e in page.entries]
            if not page.has_next_page:
                await adapter.aclose()
                return seen, pages
            after = page.cursors[-1]

    every_product = [f"product-{n:02d}" for n in range(1, 26)]
    assert _run(walk(30)) == (every_product, 1), "Wagtail gives at most 20 at once: 20 + 5"
    assert _run(walk(10)) == (every_product, 3)


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


class Counted(httpx.AsyncBaseTransport):
    """Wagtail's real answers, with a note of each request Veneer made for them."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.asked: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request.url)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def take(self) -> list[httpx.URL]:
        asked, self.asked = self.asked, []
        return asked


def _discovering(server: WagtailServer) -> tuple[WagtailAdapter, Counted]:
    counted = Counted()
    client = ResilientClient(server.api, transport=counted)
    return WagtailAdapter(server.api, client=client), counted


def test_without_types_every_page_model_is_found_with_all_its_fields(
    wagtail: WagtailServer,
) -> None:
    async def probe() -> Any:
        adapter, _ = _discovering(wagtail)
        try:
            return (
                await adapter.content_types(),
                await adapter.get_by_slug(None, "pancakes", None),
                await adapter.get_by_slug("product", "product-03", None),
                await adapter.list_entries("recipe", 10, None, None),
                await adapter.list_entries("quickrecipe", 10, None, None),
                await adapter.get_by_slug(None, "home", None),
            )
        finally:
            await adapter.aclose()

    types, pancakes, product, recipes, quick, home = _run(probe())
    assert types == ["article", "product", "quickrecipe", "recipe"]
    assert pancakes.content_type == "recipe"
    assert pancakes.fields == {
        "title": "Pancakes",
        "ingredients": "flour, milk, eggs",
        "minutes": 20,
        "serves": 4,
    }
    assert [v.id for v in pancakes.variants] == ["v-brunch"]
    assert product.fields["price"] == "30.00"
    assert [e.slug for e in recipes.entries] == ["pancakes", "shakshuka"]
    assert recipes.entries[0] == pancakes
    (oats,) = quick.entries
    assert (oats.content_type, oats.fields["shortcut"]) == ("quickrecipe", "soak the night before")
    assert home is None, "a plain Page is not content unless named"


def test_without_types_each_page_is_listed_once_under_its_own_type(
    wagtail: WagtailServer,
) -> None:
    async def everything() -> list[Any]:
        adapter, _ = _discovering(wagtail)
        entries, after = [], None
        try:
            while True:
                page = await adapter.list_entries(None, 7, after, "en")
                entries += page.entries
                if not page.has_next_page:
                    return entries
                after = page.cursors[-1]
        finally:
            await adapter.aclose()

    entries = _run(everything())
    kinds = [e.content_type for e in entries]
    assert len({e.id for e in entries}) == len(entries) == 29
    assert (kinds.count("article"), kinds.count("product")) == (1, 25)
    assert (kinds.count("recipe"), kinds.count("quickrecipe")) == (2, 1)


def test_discovery_is_asked_once_and_a_listing_is_one_request(wagtail: WagtailServer) -> None:
    async def count() -> list[list[httpx.URL]]:
        adapter, counted = _discovering(wagtail)
        try:
            await adapter.content_types()
            discovery = counted.take()
            await adapter.list_entries("product", 20, None, None)
            product_page = counted.take()
            await adapter.list_entries(None, 20, None, None)
            mixed_page = counted.take()
            pancakes = await adapter.get_by_slug(None, "pancakes", None)
            by_slug = counted.take()
            assert pancakes is not None
            assert [url.path for url in by_slug] == [
                "/api/v2/pages/",
                f"/api/v2/pages/{pancakes.id}/",
            ]
            await adapter.content_types()
            await adapter.get_by_slug("recipe", "shakshuka", None)
            again = counted.take()
            return [discovery, product_page, mixed_page, again]
        finally:
            await adapter.aclose()

    discovery, product_page, mixed_page, again = _run(count())
    assert len(discovery) == 2, "32 pages, 20 at a time, asking only their types"
    assert all(url.params["fields"] == "_,type" for url in discovery)
    (listing,) = product_page
    assert (listing.params["type"], listing.params["fields"]) == ("shop.ProductPage", "*")
    assert [url.params["type"] for url in mixed_page] == ["shop.ArticlePage", "shop.ProductPage"]
    assert len(again) == 1, "the discovered types are remembered"


def test_types_named_in_the_setting_restrict_and_rename(wagtail: WagtailServer) -> None:
    async def probe() -> Any:
        adapter = adapter_from_setting(f"wagtail:{wagtail.api}?types=dish:kitchen.RecipePage")
        try:
            return (
                await adapter.content_types(),
                await adapter.get_by_slug(None, "pancakes", None),
                await adapter.get_by_slug(None, "product-01", None),
                await adapter.list_entries(None, 10, None, None),
            )
        finally:
            await adapter.aclose()

    types, pancakes, product, everything = _run(probe())
    assert types == ["dish"]
    assert pancakes.content_type == "dish" and pancakes.fields["minutes"] == 20
    assert product is None, "product pages are not among the types named"
    assert [e.slug for e in everything.entries] == ["pancakes", "shakshuka"]


def test_graphql_over_wagtail_without_types(
    wagtail: WagtailServer, settings: Settings, keys: Keys
) -> None:
    discovering = settings.model_copy(update={"content": f"wagtail:{wagtail.api}"})
    query = """{
      entry(slug: "pancakes") { contentType fields }
      entries(contentType: "recipe", first: 5) { edges { node { slug contentType } } }
    }"""
    with TestClient(create_app(discovering)) as client:
        result = data(gql(client, query, key=keys.public))
    assert result["entry"]["contentType"] == "recipe"
    assert result["entry"]["fields"]["ingredients"] == "flour, milk, eggs"
    assert result["entry"]["fields"]["serves"] == 4
    assert [e["node"] for e in result["entries"]["edges"]] == [
        {"slug": "pancakes", "contentType": "recipe"},
        {"slug": "shakshuka", "contentType": "recipe"},
    ]


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


def test_recommendations_over_wagtail_learn_from_events(
    wagtail: WagtailServer, settings: Settings, keys: Keys
) -> None:
    """Pages nobody wrote for recommendations: shoppers view products in two groups, a model
    is trained on those events, and next to a product the rest of its group comes back."""
    over_wagtail = settings.model_copy(update={"content": f"wagtail:{wagtail.api}?{TYPES}"})
    listing = '{ entries(contentType: "product", first: 8) { edges { node { id slug } } } }'
    with TestClient(create_app(over_wagtail)) as client:
        nodes = [e["node"] for e in data(gql(client, listing, key=keys.public))["entries"]["edges"]]
    ids = {node["slug"]: node["id"] for node in nodes}
    groups = [
        [ids[f"product-0{n}"] for n in (1, 2, 3, 4)],
        [ids[f"product-0{n}"] for n in (5, 6, 7, 8)],
    ]

    async def shop_and_train() -> None:
        services = Services(over_wagtail, clock=Clock())
        try:
            await shelf_shop(services, groups, 25, "wagtail-shopper")
            result = await train(services, candidates=[ItemPop(), Ease(lam=1.0)])
            assert result.promoted, result.message
        finally:
            await services.aclose()

    asyncio.run(shop_and_train())
    query = """query($id: ID!) { entry(id: $id) {
      similar(first: 2) { id }
      recommendations(first: 3) { id personalization { reason strategy } } } }"""
    grant = (
        "mutation { setConsent(purposes: [{purpose: RECOMMENDATIONS, granted: true}]) { purpose } }"
    )
    with TestClient(create_app(over_wagtail)) as client:
        data(gql(client, grant, key=keys.public, anonymous_id="reader"))
        found = data(
            gql(client, query, {"id": groups[1][0]}, key=keys.public, anonymous_id="reader")
        )

    assert len(found["entry"]["similar"]) == 2  # the pages' words, whoever asks
    picked = found["entry"]["recommendations"]
    assert {r["id"] for r in picked} == set(groups[1][1:]), (groups, found)
    assert {r["personalization"]["strategy"] for r in picked} == {"EASE:v1"}
    assert {r["personalization"]["reason"] for r in picked} == {"often chosen with *Product 05*"}
