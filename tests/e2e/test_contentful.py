"""The Contentful adapter against a local stand-in that follows the CDA's documented shapes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from bench.servers import uvicorn_server
from tests.conftest import Keys
from tests.e2e.contentful_standin import ENV, SPACE, TOKEN
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.content_adapters import ContentUnavailable, UnknownContentType
from veneer.content_adapters.contentful import ContentfulAdapter
from veneer.content_adapters.registry import ContentSettingError, adapter_from_setting
from veneer.settings import Settings


@pytest.fixture(scope="module")
def cda() -> Iterator[str]:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    with uvicorn_server("tests.e2e.contentful_standin:app", env) as base:
        yield f"{base}/spaces/{SPACE}/environments/{ENV}"


def _run(cda: str, call: Any, token: str = TOKEN) -> Any:
    async def go() -> Any:
        adapter = adapter_from_setting(f"contentful:{cda}?token={token}", "en-US")
        assert isinstance(adapter, ContentfulAdapter)
        try:
            return await call(adapter)
        finally:
            await adapter.aclose()

    return asyncio.run(go())


def test_pages_maps_and_finds_entries(cda: str) -> None:
    first = _run(cda, lambda a: a.list_entries("product", 5, None, None))
    rest = _run(cda, lambda a: a.list_entries("product", 10, first.cursors[-1], None))
    assert [e.slug for e in first.entries] == [f"product-{n:02d}" for n in range(1, 6)]
    assert first.has_next_page and not rest.has_next_page
    assert len(rest.entries) == 7
    tagged = first.entries[0]
    assert (tagged.id, tagged.content_type, tagged.locale) == ("prod01", "product", "en-US")
    assert tagged.variants[0].id == "v-campers" and "variants" not in tagged.fields
    assert tagged.updated_at is not None and tagged.updated_at.tzinfo is not None


def test_by_id_slug_locale_and_unknowns(cda: str) -> None:
    by_id = _run(cda, lambda a: a.get_entry("art01"))
    by_slug = _run(cda, lambda a: a.get_by_slug("article", "trail-notes", "de-DE"))
    missing = _run(cda, lambda a: a.get_entry("nope"))
    assert by_id.fields["title"] == "Trail notes"
    assert by_slug.fields["title"] == "Pfadnotizen" and by_slug.locale == "de-DE"
    assert missing is None
    with pytest.raises(UnknownContentType, match="known: article, product"):
        _run(cda, lambda a: a.list_entries("recipe", 5, None, None))


def test_a_wrong_token_is_a_clear_error(cda: str) -> None:
    with pytest.raises(ContentUnavailable, match="HTTP 401"):
        _run(cda, lambda a: a.get_entry("art01"), token="wrong")
    with pytest.raises(ContentSettingError, match="needs \\?token="):
        adapter_from_setting(f"contentful:{cda}")


def test_graphql_over_contentful(cda: str, settings: Settings, keys: Keys) -> None:
    over = settings.model_copy(
        update={"content": f"contentful:{cda}?token={TOKEN}", "default_locale": "en-US"}
    )
    rule = {"trait": "interests", "op": "contains", "value": "camping"}
    with TestClient(create_app(over)) as client:
        upsert = (
            'mutation($r: JSON!) { upsertSegment(key: "campers", name: "C", rule: $r) { key } }'
        )
        data(gql(client, upsert, {"r": rule}, key=keys.secret))
        consent = (
            "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) "
            "{ purpose } }"
        )
        data(gql(client, consent, key=keys.public, anonymous_id="c1"))
        data(
            gql(
                client,
                'mutation { identify(traits: {interests: ["camping"]}) { id } }',
                key=keys.public,
                anonymous_id="c1",
            )
        )
        entry = data(
            gql(
                client,
                '{ entry(id: "prod01") { field(name: "title") personalization { variantId } } }',
                key=keys.public,
                anonymous_id="c1",
            )
        )
    assert entry["entry"] == {
        "field": "Product 01 for campers",
        "personalization": {"variantId": "v-campers"},
    }
