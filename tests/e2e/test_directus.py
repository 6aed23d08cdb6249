"""The Directus adapter against a real Directus 10: items, variants, status, webhooks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.servers import uvicorn_server, veneer_env
from tests.e2e.directus_server import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    NARROW_TOKEN,
    READER_TOKEN,
    DirectusServer,
    directus_server,
)
from tests.e2e.served import served_title, webhooks_seen
from tests.postgres import free_port
from veneer.cli import app as cli
from veneer.content_adapters import (
    ContentError,
    ContentUnavailable,
    InvalidCursor,
    UnknownContentType,
)
from veneer.content_adapters.directus import DirectusAdapter
from veneer.content_adapters.registry import ContentSettingError, adapter_from_setting
from veneer.settings import Settings
from veneer.store.migrate import migrate

WEBHOOK_SECRET = "directus-webhook-secret-for-tests"
runner = CliRunner()


@pytest.fixture(scope="module")
def directus() -> Iterator[DirectusServer]:
    with directus_server() as server:
        yield server


def _run(server: DirectusServer, call: Any, query: str = "", token: str = READER_TOKEN) -> Any:
    async def go() -> Any:
        adapter = adapter_from_setting(f"directus:{server.url}?token={token}{query}")
        assert isinstance(adapter, DirectusAdapter)
        try:
            return await call(adapter)
        finally:
            await adapter.aclose()

    return asyncio.run(go())


def test_pages_through_published_items_of_discovered_collections(
    directus: DirectusServer,
) -> None:
    async def walk(adapter: DirectusAdapter) -> tuple[list[str], list[str]]:
        slugs, after = [], None
        while True:
            page = await adapter.list_entries(None, 4, after, None)
            slugs += [e.slug or "" for e in page.entries]
            if not page.has_next_page:
                return await adapter.content_types(), slugs
            after = page.cursors[-1]

    types, slugs = _run(directus, walk)
    assert types == ["articles", "products"]
    assert slugs == ["trail-notes", *(f"product-{n:02d}" for n in range(1, 12))], (
        "archived and draft items are left out"
    )


def test_an_item_becomes_an_entry_with_its_variants(directus: DirectusServer) -> None:
    async def fetch(adapter: DirectusAdapter) -> Any:
        entry = await adapter.get_by_slug("product", "product-02", None)
        assert entry is not None
        return entry, await adapter.get_entry(entry.id)

    entry, again = _run(directus, fetch, "&types=product:products,article:articles")
    assert entry == again and entry.id == "products:2"
    assert entry.content_type == "product"
    assert entry.fields["title"] == "Product 02" and entry.fields["price"] == 20.0
    assert entry.fields["tags"] == ["kitchen"]
    assert not {"variants", "status", "id", "date_updated"} & set(entry.fields)
    assert [(v.id, v.audience, v.fields) for v in entry.variants] == [
        ("v-campers", ("campers",), {"title": "Product 02 for campers"})
    ]
    assert entry.updated_at is None or entry.updated_at.tzinfo is not None


def test_status_unknowns_and_bad_input(directus: DirectusServer) -> None:
    assert _run(directus, lambda a: a.get_by_slug("articles", "old-news", None)) is None
    archived = _run(directus, lambda a: a.get_by_slug("articles", "old-news", None), "&status=")
    assert archived is not None and archived.fields["title"] == "Old news"
    assert _run(directus, lambda a: a.get_entry("products:12")) is None, "a draft"
    assert _run(directus, lambda a: a.get_entry("products:999")) is None
    assert _run(directus, lambda a: a.get_entry("directus_users:1")) is None
    assert _run(directus, lambda a: a.get_entry("no-colon")) is None
    with pytest.raises(UnknownContentType, match="known: articles, products"):
        _run(directus, lambda a: a.list_entries("recipes", 5, None, None))
    with pytest.raises(InvalidCursor):
        _run(directus, lambda a: a.list_entries(None, 5, "directus_users:1", None))
    with pytest.raises(ContentUnavailable, match="HTTP 401"):
        _run(directus, lambda a: a.list_entries("products", 5, None, None), token="wrong")
    with pytest.raises(ContentError, match="read directus_collections"):
        _run(directus, lambda a: a.content_types(), token=NARROW_TOKEN)
    narrow = _run(
        directus, lambda a: a.get_entry("products:3"), "&types=product:products", NARROW_TOKEN
    )
    assert narrow is not None and narrow.fields["title"] == "Product 03"
    with pytest.raises(ContentSettingError, match="needs \\?token="):
        adapter_from_setting(f"directus:{directus.url}")


def test_an_edit_in_directus_reaches_veneer_through_the_flow(
    directus: DirectusServer, tmp_path: Path
) -> None:
    port = free_port()
    database = f"sqlite:///{tmp_path / 'veneer.db'}"
    migrate(Settings(database_url=database))
    served = veneer_env(
        database_url=database,
        content=f"directus:{directus.url}?token={READER_TOKEN}",
        webhook_secret=WEBHOOK_SECRET,
        content_cache_ttl="3600",
        demo="1",
    )
    install = [
        "plugin",
        "install",
        "directus",
        "--url",
        directus.url,
        "--webhook-url",
        f"http://127.0.0.1:{port}/v1/webhooks/directus",
    ]
    env = {"VENEER_WEBHOOK_SECRET": WEBHOOK_SECRET}
    login = ["--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]
    created = runner.invoke(cli, [*install, "--collections", "articles,products", *login], env=env)
    with directus.admin() as admin:
        token = admin.headers["Authorization"].removeprefix("Bearer ")
        updated = runner.invoke(
            cli, [*install, "--collections", "products", "--token", token], env=env
        )
        unknown = runner.invoke(cli, [*install, "--collections", "recipes", *login], env=env)
        flows = admin.get("/flows").json()["data"]
    assert created.exit_code == 0 and "flow created" in created.output, created.output
    assert updated.exit_code == 0 and "flow updated" in updated.output, updated.output
    assert unknown.exit_code == 2 and "no such collection recipes" in unknown.output
    assert [f["options"]["collections"] for f in flows] == [["products"]], "one flow, updated"

    with uvicorn_server("veneer.app:create_app", served, factory=True, port=port) as base:
        assert served_title(base, "products:5") == "Product 05"
        before = webhooks_seen(base, "directus", "update")
        with directus.admin() as admin:
            edited = admin.patch("/items/products/5", json={"title": "Product 05, renamed"})
            assert edited.status_code == 200, edited.text
        deadline = time.monotonic() + 20  # Directus sends webhooks after replying
        while webhooks_seen(base, "directus", "update") == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert webhooks_seen(base, "directus", "update") > before, (
            "the flow's request never arrived"
        )
        assert served_title(base, "products:5") == "Product 05, renamed", "no waiting for the TTL"
