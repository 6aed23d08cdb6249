"""`entries` and `entry`: Relay pagination over CMS content, and bad arguments."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql
from veneer.content_adapters.file import SAMPLE_CONTENT

PAGE = """
query($type: String, $first: Int, $after: String, $locale: String) {
  entries(contentType: $type, first: $first, after: $after, locale: $locale) {
    edges { cursor node { id contentType slug locale updatedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def _sample_count(content_type: str) -> int:
    return len(list((SAMPLE_CONTENT / content_type).glob("*.md")))


def test_paging_through_all_products_visits_each_once(client: TestClient, keys: Keys) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        variables = {"type": "product", "first": 5, "after": after}
        result = data(gql(client, PAGE, variables, key=keys.public, anonymous_id="p"))["entries"]
        pages += 1
        seen += [edge["node"]["id"] for edge in result["edges"]]
        assert all(edge["node"]["contentType"] == "product" for edge in result["edges"])
        assert result["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not result["pageInfo"]["hasNextPage"]:
            break
        after = result["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == _sample_count("product")
    assert pages == -(-_sample_count("product") // 5)
    assert "tent-x2" in seen  # the entry whose front matter sets an explicit id


def test_entries_default_to_twenty_across_types(client: TestClient, keys: Keys) -> None:
    result = data(gql(client, PAGE, key=keys.public))["entries"]
    types = {edge["node"]["contentType"] for edge in result["edges"]}
    assert len(result["edges"]) == 20
    assert types == {"article", "product"}
    assert result["pageInfo"]["hasNextPage"] is True
    node = result["edges"][0]["node"]
    assert node["locale"] == "en"
    assert node["updatedAt"].endswith("+00:00")


def test_locale_filter(client: TestClient, keys: Keys) -> None:
    french = data(gql(client, PAGE, {"locale": "fr"}, key=keys.public))["entries"]
    assert french["edges"] == []
    assert french["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


def test_entry_by_id_and_by_slug(client: TestClient, keys: Keys) -> None:
    query = """
    query($id: ID, $type: String, $slug: String) {
      entry(id: $id, contentType: $type, slug: $slug) { id slug contentType field(name: "sku") }
    }"""
    by_id = data(gql(client, query, {"id": "tent-x2"}, key=keys.public))["entry"]
    by_slug = data(
        gql(client, query, {"type": "product", "slug": "trailhead-x2-tent"}, key=keys.public)
    )["entry"]
    wrong_type = data(gql(client, query, {"id": "tent-x2", "type": "article"}, key=keys.public))
    missing = data(gql(client, query, {"slug": "no-such-thing"}, key=keys.public))

    assert by_id == by_slug
    assert by_id["slug"] == "trailhead-x2-tent"
    assert by_id["field"]
    assert wrong_type["entry"] is None
    assert missing["entry"] is None


@pytest.mark.parametrize(
    ("variables", "field", "message"),
    [
        (
            {"type": "recipe"},
            "contentType",
            "unknown content type 'recipe'; known: article, product",
        ),
        ({"after": "bm90LWEtY3Vyc29y"}, "after", "not a cursor this server issued"),
        ({"after": "%%%"}, "after", "not a cursor this server issued"),
        ({"first": 0}, "first", "must be between 1 and 100, got 0"),
        ({"first": 1000}, "first", "must be between 1 and 100, got 1000"),
    ],
)
def test_bad_arguments_are_graphql_errors_naming_the_field(
    client: TestClient, keys: Keys, variables: dict[str, object], field: str, message: str
) -> None:
    body = gql(client, PAGE, variables, key=keys.public)
    assert error_messages(body) == [f"{field}: {message}"]
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


def test_entry_needs_exactly_one_of_id_or_slug(client: TestClient, keys: Keys) -> None:
    neither = gql(client, "{ entry { id } }", key=keys.public)
    both = gql(client, '{ entry(id: "a", slug: "b") { id } }', key=keys.public)
    unknown_type = gql(
        client, '{ entry(contentType: "recipe", slug: "b") { id } }', key=keys.public
    )
    assert error_messages(neither) == error_messages(both) == ["give exactly one of id or slug"]
    assert error_messages(unknown_type)[0].startswith("contentType: unknown content type")


def test_malformed_queries_are_errors_not_500s(client: TestClient, keys: Keys) -> None:
    headers = {"Authorization": f"Bearer {keys.public}"}
    syntax = client.post("/graphql", json={"query": "{ entries( }"}, headers=headers)
    unknown_field = client.post("/graphql", json={"query": "{ entries { nope } }"}, headers=headers)
    not_json = client.post(
        "/graphql", content=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )

    assert syntax.status_code == 200
    assert syntax.json()["errors"][0]["message"].startswith("Syntax Error: Expected Name")
    assert unknown_field.status_code == 200
    assert "Cannot query field 'nope'" in unknown_field.json()["errors"][0]["message"]
    assert not_json.status_code == 400
    assert not_json.json()["errors"][0]["message"].startswith("body: not valid JSON")


def test_too_many_aliases_are_refused(client: TestClient, keys: Keys) -> None:
    query = (
        "{ "
        + " ".join(f"a{i}: entries(first: 100) {{ edges {{ cursor }} }}" for i in range(20))
        + " }"
    )
    body = gql(client, query, key=keys.public)
    assert "aliases" in body["errors"][0]["message"]


def test_a_cursor_pages_only_the_list_it_came_from(client: TestClient, keys: Keys) -> None:
    first = data(gql(client, PAGE, {"type": "product", "first": 2}, key=keys.public))
    after = first["entries"]["pageInfo"]["endCursor"]

    same = data(gql(client, PAGE, {"type": "product", "first": 2, "after": after}, key=keys.public))
    other_type = gql(client, PAGE, {"type": "article", "after": after}, key=keys.public)
    other_locale = gql(
        client, PAGE, {"type": "product", "after": after, "locale": "de"}, key=keys.public
    )
    # Cursors issued before they were bound to their list still page on.
    unbound = base64.urlsafe_b64encode(b"veneer:v1:2").decode()
    old = gql(client, PAGE, {"type": "product", "after": unbound}, key=keys.public)

    assert [e["node"]["contentType"] for e in same["entries"]["edges"]] == ["product"] * 2
    assert error_messages(other_type) == [
        "after: this cursor was issued for contentType `product`, not `article`; "
        "page with the same arguments, or start again without after"
    ]
    assert other_type["errors"][0]["extensions"]["field"] == "after"
    assert error_messages(other_locale)[0].startswith(
        "after: this cursor was issued for locale none, not `de`"
    )
    assert (
        data(old)["entries"]["edges"][0]["node"]["id"] == same["entries"]["edges"][0]["node"]["id"]
    )
