"""The Strapi adapter and plugin against a real Strapi 5: documents, variants, webhooks, outages."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from bench.servers import uvicorn_server, veneer_env
from tests.conftest import Keys
from tests.e2e.served import served_title, webhooks_seen
from tests.e2e.strapi_server import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    API_TOKEN,
    READ_ONLY_TOKEN,
    StrapiServer,
    strapi_server,
    temporary_site,
)
from tests.helpers import data, gql
from tests.postgres import free_port
from veneer.app import create_app
from veneer.cli import app as cli
from veneer.content_adapters import (
    ContentError,
    ContentUnavailable,
    InvalidCursor,
    UnknownContentType,
)
from veneer.content_adapters.registry import ContentSettingError, adapter_from_setting
from veneer.content_adapters.strapi import StrapiAdapter
from veneer.settings import Settings
from veneer.store.migrate import migrate

WEBHOOK_SECRET = "strapi-webhook-secret-for-tests"
runner = CliRunner()


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """A copy of the test project with Veneer's component installed by the CLI."""
    with temporary_site() as project:
        result = runner.invoke(
            cli,
            [
                "plugin",
                "install",
                "strapi",
                "--project-dir",
                str(project),
                "--content-types",
                "product,article",
            ],
        )
        assert result.exit_code == 0, result.output
        yield project


@pytest.fixture(scope="module")
def strapi(site: Path) -> Iterator[StrapiServer]:
    with strapi_server(site) as server:
        yield server


def _run(server: StrapiServer, call: Any, query: str = "") -> Any:
    async def go() -> Any:
        adapter = adapter_from_setting(f"strapi:{server.url}?token={API_TOKEN}{query}")
        assert isinstance(adapter, StrapiAdapter)
        try:
            return await call(adapter)
        finally:
            await adapter.aclose()

    return asyncio.run(go())


def test_the_plugin_installs_the_component_once(site: Path) -> None:
    schema = json.loads((site / "src/api/product/content-types/product/schema.json").read_text())
    assert schema["attributes"]["variants"]["component"] == "veneer.variant"
    assert (site / "src/components/veneer/variant.json").is_file()

    again = runner.invoke(
        cli,
        ["plugin", "install", "strapi", "--project-dir", str(site), "--content-types", "product"],
    )
    unknown = runner.invoke(
        cli,
        ["plugin", "install", "strapi", "--project-dir", str(site), "--content-types", "recipe"],
    )
    not_strapi = runner.invoke(
        cli,
        ["plugin", "install", "strapi", "--project-dir", str(site / "src"), "--content-types", "x"],
    )
    assert again.exit_code == 0 and "already installed" in again.output
    assert "Restart Strapi" not in again.output
    assert unknown.exit_code == 2 and "no such collection type recipe" in unknown.output
    assert "this project has article, product" in " ".join(unknown.output.split())
    assert not_strapi.exit_code == 2 and "is not a Strapi project" in " ".join(
        not_strapi.output.split()
    )


def test_pages_through_documents_with_discovered_types(strapi: StrapiServer) -> None:
    async def walk(adapter: StrapiAdapter) -> tuple[list[str], list[str], int]:
        slugs, after, pages = [], None, 0
        while True:
            page = await adapter.list_entries("product", 7, after, None)
            pages += 1
            slugs += [e.slug or "" for e in page.entries]
            if not page.has_next_page:
                return await adapter.content_types(), slugs, pages
            after = page.cursors[-1]

    types, slugs, pages = _run(strapi, walk)
    assert types == ["article", "product"], "read from the content-type builder"
    assert sorted(slugs) == [f"product-{n:02d}" for n in range(1, 31)]
    assert len(set(slugs)) == 30 and pages == 5


def test_a_document_becomes_an_entry_with_its_variants(strapi: StrapiServer) -> None:
    async def fetch(adapter: StrapiAdapter) -> Any:
        entry = await adapter.get_by_slug("product", "product-02", None)
        assert entry is not None
        return entry, await adapter.get_entry(entry.id)

    entry, again = _run(strapi, fetch, "&types=product:products,article:articles")
    assert entry == again
    assert entry.content_type == "product" and entry.locale == "en"
    assert entry.fields["title"] == "Product 02" and entry.fields["price"] == 20
    assert entry.fields["inStock"] is True and entry.fields["tags"] == ["kitchen"]
    assert not {"variants", "documentId", "publishedAt"} & set(entry.fields)
    assert [(v.id, v.audience, v.priority) for v in entry.variants] == [
        ("v-campers", ("campers",), 5)
    ]
    assert entry.variants[0].fields == {"title": "Product 02 for campers"}
    assert entry.updated_at is not None and entry.updated_at.tzinfo is not None


def test_locales_drafts_and_unknowns(strapi: StrapiServer) -> None:
    async def probe(adapter: StrapiAdapter) -> Any:
        french = await adapter.list_entries("article", 10, None, "fr")
        english = await adapter.list_entries("article", 10, None, None)
        by_slug = await adapter.get_by_slug("article", "trail-notes", "fr")
        draft = await adapter.get_by_slug("article", "unfinished-draft", None)
        return french, english, by_slug, draft, await adapter.get_entry("nosuchdocument")

    french, english, by_slug, draft, missing = _run(strapi, probe)
    assert [e.fields["title"] for e in french.entries] == ["Notes de sentier"]
    assert [e.fields["title"] for e in english.entries] == ["Trail notes", "Camp stoves"]
    assert by_slug.locale == "fr" and by_slug.id == english.entries[0].id, "one documentId"
    assert draft is None, "drafts are never served"
    assert missing is None
    with pytest.raises(UnknownContentType, match="known: article, product"):
        _run(strapi, lambda a: a.list_entries("recipe", 5, None, None))
    with pytest.raises(InvalidCursor):
        _run(strapi, lambda a: a.list_entries(None, 5, "users:3", None))


def test_tokens_wrong_and_read_only(strapi: StrapiServer) -> None:
    async def listing(adapter: StrapiAdapter) -> Any:
        return await adapter.list_entries("product", 5, None, None)

    with pytest.raises(ContentUnavailable, match="HTTP 401"):
        asyncio.run(_with(f"strapi:{strapi.url}?token=wrong&types=product:products", listing))
    with pytest.raises(ContentError, match="getContentTypes permission"):
        asyncio.run(_with(f"strapi:{strapi.url}?token={READ_ONLY_TOKEN}", listing))
    named = f"strapi:{strapi.url}?token={READ_ONLY_TOKEN}&types=product:products"
    assert len(asyncio.run(_with(named, listing)).entries) == 5, "read-only is enough with types"
    with pytest.raises(ContentSettingError, match="needs \\?token="):
        adapter_from_setting(f"strapi:{strapi.url}")


async def _with(setting: str, call: Any) -> Any:
    adapter = adapter_from_setting(setting)
    try:
        return await call(adapter)
    finally:
        await adapter.aclose()


def test_graphql_serves_the_campers_variant(
    strapi: StrapiServer, settings: Settings, keys: Keys
) -> None:
    over = settings.model_copy(update={"content": f"strapi:{strapi.url}?token={API_TOKEN}"})
    rule = {"trait": "interests", "op": "contains", "value": "camping"}
    query = '{ entry(contentType: "product", slug: "product-02") { field(name: "title") } }'
    with TestClient(create_app(over)) as client:
        upsert = (
            'mutation($r: JSON!) { upsertSegment(key: "campers", name: "C", rule: $r) { key } }'
        )
        data(gql(client, upsert, {"r": rule}, key=keys.secret))
        grant = (
            "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) "
            "{ purpose } }"
        )
        data(gql(client, grant, key=keys.public, anonymous_id="s1"))
        identify = 'mutation { identify(traits: {interests: ["camping"]}) { id } }'
        data(gql(client, identify, key=keys.public, anonymous_id="s1"))
        camper = data(gql(client, query, key=keys.public, anonymous_id="s1"))
        stranger = data(gql(client, query, key=keys.public, anonymous_id="s2"))
        typed = '{ product(slug: "product-02") { title price inStock tags } }'
        typed_camper = data(gql(client, typed, key=keys.public, anonymous_id="s1"))
    assert camper["entry"]["field"] == "Product 02 for campers"
    assert stranger["entry"]["field"] == "Product 02"
    assert typed_camper["product"] == {
        "title": "Product 02 for campers",
        "price": 20,
        "inStock": True,
        "tags": ["kitchen"],
    }, "typed fields from Strapi's model, personalized"


def test_publishing_in_strapi_reaches_veneer_through_the_webhook(
    strapi: StrapiServer, tmp_path: Path
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/v1/webhooks/strapi"
    install = ["plugin", "install", "strapi", "--url", strapi.url, "--webhook-url", hook]
    env = {"VENEER_WEBHOOK_SECRET": WEBHOOK_SECRET}
    first = runner.invoke(
        cli, [*install, "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD], env=env
    )
    with strapi.admin() as admin:
        token = admin.headers["Authorization"].removeprefix("Bearer ")
        again = runner.invoke(cli, [*install, "--token", token], env=env)
        wrong = runner.invoke(
            cli, [*install, "--email", ADMIN_EMAIL, "--password", "nope"], env=env
        )
        hooks = admin.get("/admin/webhooks").json()["data"]
    assert first.exit_code == 0 and "webhook created" in first.output
    assert again.exit_code == 0 and "webhook updated" in again.output
    assert wrong.exit_code == 2 and "Invalid credentials" in wrong.output
    assert [(h["url"], h["headers"]) for h in hooks] == [
        (hook, {"x-veneer-webhook-secret": WEBHOOK_SECRET})
    ]

    database = f"sqlite:///{tmp_path / 'veneer.db'}"
    migrate(Settings(database_url=database))
    product = _run(strapi, lambda a: a.get_by_slug("product", "product-05", None))
    served = veneer_env(
        database_url=database,
        content=f"strapi:{strapi.url}?token={API_TOKEN}",
        webhook_secret=WEBHOOK_SECRET,
        content_cache_ttl="3600",
        demo="1",
    )
    with uvicorn_server("veneer.app:create_app", served, factory=True, port=port) as base:
        assert served_title(base, product.id) == "Product 05"
        before = webhooks_seen(base, "strapi", "publish")
        with strapi.admin() as admin:
            published = admin.post(
                f"/content-manager/collection-types/api::product.product/{product.id}/actions/publish",
                json={"title": "Product 05, renamed"},
            )
            assert published.status_code == 200, published.text
        deadline = time.monotonic() + 20  # Strapi sends webhooks from a queue, after replying
        while webhooks_seen(base, "strapi", "publish") == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert webhooks_seen(base, "strapi", "publish") > before, "Strapi's webhook never arrived"
        assert served_title(base, product.id) == "Product 05, renamed", "no waiting for the TTL"


def test_when_strapi_is_down_seen_content_is_served_stale(
    strapi: StrapiServer, settings: Settings, keys: Keys
) -> None:
    no_fresh_cache = settings.model_copy(
        update={"content": f"strapi:{strapi.url}?token={API_TOKEN}", "content_cache_ttl": 0}
    )
    seen = '{ entries(contentType: "article", first: 5) { edges { node { slug } } } }'
    unseen = '{ entries(contentType: "product", first: 5) { edges { node { slug } } } }'
    with TestClient(create_app(no_fresh_cache)) as client:
        fresh = gql(client, seen, key=keys.public)
        strapi.stop()
        try:
            stale = gql(client, seen, key=keys.public)
            never_seen = gql(client, unseen, key=keys.public)
        finally:
            strapi.start()
    assert fresh["data"]["entries"]["edges"], fresh
    assert stale["data"] == fresh["data"]
    assert stale["extensions"]["stale"] is True
    assert never_seen["errors"][0]["extensions"]["code"] == "CONTENT_UNAVAILABLE"
