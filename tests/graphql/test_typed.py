"""Typed root fields generated from the content model: products { title price }."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql
from veneer.app import create_app
from veneer.content_adapters.file import SAMPLE_CONTENT
from veneer.plugin.webhooks import SIGNATURE_HEADER, sign
from veneer.settings import Settings

SECRET = "typed-webhook-secret"
TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
FIELDS = '{ __type(name: "%s") { fields { name type { ' + TYPE_REF + " } } } }"


def _sdl(ref: dict[str, Any]) -> str:
    """A type reference as SDL writes it: [String!], Personalization!."""
    if ref["kind"] == "NON_NULL":
        return _sdl(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return f"[{_sdl(ref['ofType'])}]"
    return str(ref["name"])


def _fields(client: TestClient, keys: Keys, type_name: str) -> dict[str, str]:
    found = data(gql(client, FIELDS % type_name, key=keys.public))["__type"]
    if found is None:
        return {}
    return {f["name"]: _sdl(f["type"]) for f in found["fields"]}


def test_each_content_type_gets_its_own_type_and_root_fields(
    client: TestClient, keys: Keys
) -> None:
    product = _fields(client, keys, "Product")
    article = _fields(client, keys, "Article")
    assert {k: product[k] for k in ("title", "price", "tags", "personalization")} == {
        "title": "String",
        "price": "Float",
        "tags": "[String!]",
        "personalization": "Personalization!",
    }
    assert article["readingMinutes"] == "Int" and "price" not in article

    typed = data(
        gql(
            client,
            "{ products(first: 3) { edges { cursor node { id title price tags } }"
            " pageInfo { hasNextPage endCursor } } }",
            key=keys.public,
        )
    )["products"]
    generic = data(
        gql(
            client,
            '{ entries(contentType: "product", first: 3) { edges { cursor node { id fields } } } }',
            key=keys.public,
        )
    )["entries"]
    assert [e["cursor"] for e in typed["edges"]] == [e["cursor"] for e in generic["edges"]]
    for t, g in zip(typed["edges"], generic["edges"], strict=True):
        fields = g["node"]["fields"]
        assert t["node"] == {
            "id": g["node"]["id"],
            "title": fields["title"],
            "price": fields["price"],
            "tags": fields["tags"],
        }
    assert typed["pageInfo"]["hasNextPage"] is True

    rest = data(
        gql(
            client,
            "query($after: String) {"
            " products(first: 50, after: $after) { edges { node { id } } } }",
            {"after": typed["pageInfo"]["endCursor"]},
            key=keys.public,
        )
    )["products"]["edges"]
    assert len(rest) == 12 - 3


def test_typed_fields_are_personalized(client: TestClient, keys: Keys) -> None:
    rule = {"trait": "interests", "op": "contains", "value": "trail-running"}
    upsert = (
        'mutation($r: JSON!) { upsertSegment(key: "trail-runners", name: "T", rule: $r) { key } }'
    )
    data(gql(client, upsert, {"r": rule}, key=keys.secret))
    grant = (
        "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) { purpose } }"
    )
    data(gql(client, grant, key=keys.public, anonymous_id="runner"))
    identify = 'mutation { identify(traits: {interests: ["trail-running"]}) { id } }'
    data(gql(client, identify, key=keys.public, anonymous_id="runner"))
    shoe = (
        '{ product(slug: "cinder-trail-runner") '
        "{ title badge price personalization { variantId } } }"
    )

    runner = data(gql(client, shoe, key=keys.public, anonymous_id="runner"))["product"]
    stranger = data(gql(client, shoe, key=keys.public, anonymous_id="stranger"))["product"]

    assert runner == {
        "title": "Cinder: Built for Long Descents",
        "badge": "Staff pick for trail runners",
        "price": 149.0,
        "personalization": {"variantId": "v-trail"},
    }
    assert stranger["title"] == "Cinder Trail Runner" and stranger["badge"] is None


def test_typed_fields_check_their_arguments(client: TestClient, keys: Keys) -> None:
    too_many = gql(client, "{ products(first: 0) { edges { cursor } } }", key=keys.public)
    neither = gql(client, "{ product { title } }", key=keys.public)
    other_type = gql(client, '{ product(slug: "rope-care-basics") { title } }', key=keys.public)
    assert error_messages(too_many) == ["first: must be between 1 and 100, got 0"]
    assert "give exactly one of id or slug" in error_messages(neither)[0]
    assert other_type["data"] == {"product": None}, "an article is not a product"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, folder)
    return folder


@pytest.fixture
def live(settings: Settings, content: Path) -> Iterator[TestClient]:
    over = settings.model_copy(
        update={"content": f"file:{content}", "content_cache_ttl": 0, "webhook_secret": SECRET}
    )
    with TestClient(create_app(over), base_url="http://127.0.0.1") as test_client:
        yield test_client


def _changed(client: TestClient, ids: list[str]) -> None:
    body = orjson.dumps({"action": "publish", "entryIds": ids})
    response = client.post(
        "/v1/webhooks/generic", content=body, headers={SIGNATURE_HEADER: sign(body, SECRET)}
    )
    assert response.status_code == 200, response.text


def _query(client: TestClient, keys: Keys, query: str) -> dict[str, Any]:
    return gql(client, query, key=keys.public)


def test_the_schema_follows_the_content_model(live: TestClient, keys: Keys, content: Path) -> None:
    recipes = "{ recipes(first: 5) { edges { node { title servings } } } }"
    assert "Cannot query field 'recipes'" in error_messages(_query(live, keys, recipes))[0]

    (content / "recipe").mkdir()
    (content / "recipe" / "trail-chili.md").write_text(
        "---\ntitle: Trail chili\nservings: 4\n---\nBeans, then more beans.\n"
    )
    shoe = content / "product" / "cinder-trail-runner.md"
    shoe.write_text(shoe.read_text().replace("price: 149.00", "price: ask in store"))
    price = '{ product(id: "cinder-trail-runner") { price } }'
    assert _query(live, keys, price) == {"data": {"product": {"price": None}}}, (
        "a value the current model cannot type is null, not an error"
    )

    _changed(live, ["trail-chili", "cinder-trail-runner"])

    assert data(_query(live, keys, recipes)) == {
        "recipes": {"edges": [{"node": {"title": "Trail chili", "servings": 4}}]}
    }
    assert data(_query(live, keys, price)) == {"product": {"price": "ask in store"}}
    assert _fields(live, keys, "Product")["price"] == "JSON"
