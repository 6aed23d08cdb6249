"""GraphiQL at `/graphql` comes from Veneer itself: its page names only Veneer's own assets."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET
from veneer.app import create_app
from veneer.graphql.ide import ASSETS, manifest
from veneer.settings import Settings

BROWSER = {"Accept": "text/html,application/xhtml+xml"}


class _Page(HTMLParser):
    """The URLs a page makes a browser load, and its GraphiQL settings."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.config: dict[str, str] = {}
        self._in_config = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [url for name in ("src", "href") if (url := found.get(name))]
        self._in_config = found.get("id") == "veneer-graphiql-config"

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config = json.loads(data)
            self._in_config = False


def _client(sqlite_template: Path, tmp_path: Path, demo: bool) -> TestClient:
    """The IDE reads no data, so one backend is enough: SQLite, copied from the template."""
    path = tmp_path / "veneer.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(
        database_url=f"sqlite:///{path}", secret=TEST_SECRET, content="sample", demo=demo
    )
    return TestClient(create_app(settings), base_url="http://127.0.0.1")


@pytest.fixture
def ide(sqlite_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    with _client(sqlite_template, tmp_path, demo=False) as client:
        yield client


@pytest.fixture
def demo_ide(sqlite_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    with _client(sqlite_template, tmp_path, demo=True) as client:
        yield client


def test_the_page_loads_nothing_from_another_host(ide: TestClient) -> None:
    page = ide.get("/graphql", headers=BROWSER)
    assert page.status_code == 200
    urls = _Page(page.text).urls
    assert sorted(urls) == sorted(
        ["data:,", *(f"/static/graphiql/{name}" for name in manifest().values())]
    )
    assert "://" not in page.text


def test_each_asset_is_served_without_a_key_and_cached_for_good(ide: TestClient) -> None:
    page = _Page(ide.get("/graphql", headers=BROWSER).text)
    assets = [url for url in page.urls if url.startswith("/static/")]
    types = {url: ide.get(url).headers["content-type"] for url in assets}
    assert sorted(types.values()) == [
        "text/css; charset=utf-8",
        "text/javascript; charset=utf-8",
    ]
    for url in assets:
        response = ide.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == (ASSETS / url.rsplit("/", 1)[1]).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/static/graphiql/manifest.json",
        "/static/graphiql/graphiql.js",  # only hashed names, which may be cached for good
        "/static/graphiql/..%2F..%2Fapp.py",
        "/static/graphiql/%2E%2E%2Fide.py",
        "/static/other.js",
    ],
)
def test_nothing_but_the_built_assets_is_served(ide: TestClient, path: str) -> None:
    assert ide.get(path).status_code == 404


def test_an_asset_name_is_the_hash_of_its_content() -> None:
    """So a browser that cached one for a year can never be holding stale bytes."""
    for name in manifest().values():
        digest = hashlib.sha256((ASSETS / name).read_bytes()).hexdigest()
        assert name.split(".")[1] == digest[:12], name


def test_the_page_runs_under_a_strict_content_security_policy(ide: TestClient) -> None:
    first, second = (ide.get("/graphql", headers=BROWSER) for _ in range(2))
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in first.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval, no other host
    assert policy["connect-src"] == "'self'"
    nonce = _Page(first.text).config["styleNonce"]
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'"
    assert nonce != _Page(second.text).config["styleNonce"]
    assert first.headers["cache-control"] == "no-store"


def test_demo_mode_fills_in_the_public_demo_key(demo_ide: TestClient) -> None:
    config = _Page(demo_ide.get("/graphql", headers=BROWSER).text).config
    assert json.loads(config["defaultHeaders"]) == {
        "Authorization": "Bearer pk_demo",
        "X-Veneer-Anonymous-Id": "graphiql",
    }
    assert "entries(first: 3)" in config["defaultQuery"]


def test_outside_demo_mode_the_page_names_no_key(ide: TestClient) -> None:
    page = ide.get("/graphql", headers=BROWSER).text
    assert _Page(page).config["defaultHeaders"] == ""
    assert "pk_demo" not in page and "sk_demo" not in page
