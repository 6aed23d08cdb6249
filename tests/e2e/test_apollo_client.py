"""Veneer's answers in a real Apollo Client InMemoryCache (node), configured as README says.

Each test writes the answers of two queries that used to fight over a cache record, then
reads the first query back: it must still be complete, and show the latest values.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from graphql import (
    FieldNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql

SITE = Path(__file__).parent / "apollo_client"
POSSIBLE_TYPES = "{ __schema { types { name possibleTypes { name } } } }"


class _AddTypename(Visitor):
    """What Apollo Client does to every query before sending it: ask for ``__typename``."""

    def leave_selection_set(self, node: SelectionSetNode, *args: Any) -> Any:
        parent = args[1]
        names = {s.name.value for s in node.selections if isinstance(s, FieldNode)}
        if isinstance(parent, OperationDefinitionNode) or "__typename" in names:
            return None
        typename = FieldNode(name=NameNode(value="__typename"))
        return SelectionSetNode(selections=(*node.selections, typename))


def as_apollo_sends(query: str) -> str:
    return print_ast(visit(parse(query), _AddTypename()))


class Apollo:
    """Queries Veneer as one viewer and hands the answers to an InMemoryCache in node."""

    def __init__(
        self,
        client: TestClient,
        key: str,
        type_policies: dict[str, Any] | None = None,
        **headers: str,
    ):
        if not (SITE / "node_modules" / "@apollo" / "client").is_dir():
            pytest.fail(f"Apollo Client is not installed: run `npm ci --prefix {SITE}`")
        self.client, self.key, self.headers = client, key, headers
        self.type_policies = type_policies or {}
        self.steps: list[dict[str, Any]] = []

    def ask(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Ask Veneer, and write the answer into the cache as Apollo Client would."""
        query = as_apollo_sends(query)
        answer = data(gql(self.client, query, variables, key=self.key, **self.headers))
        self.steps.append({"write": query, "variables": variables or {}, "data": answer})
        return answer

    def read(self, query: str, variables: dict[str, Any] | None = None) -> None:
        self.steps.append({"read": as_apollo_sends(query), "variables": variables or {}})

    def run(self) -> dict[str, Any]:
        """The reads (``complete``, ``data``, ``missing``) and the cache's records."""
        types = data(gql(self.client, POSSIBLE_TYPES, key=self.key, **self.headers))
        possible = {
            t["name"]: [p["name"] for p in t["possibleTypes"]]
            for t in types["__schema"]["types"]
            if t["possibleTypes"]
        }
        given = {"possibleTypes": possible, "typePolicies": self.type_policies, "steps": self.steps}
        done = subprocess.run(
            ["node", str(SITE / "cache.mjs")],
            input=orjson.dumps(given),
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()
        result: dict[str, Any] = orjson.loads(done.stdout)
        return result


def test_entries_and_products_fill_one_record_per_entry(client: TestClient, keys: Keys) -> None:
    apollo = Apollo(client, keys.public, anonymous_id="ann")
    listing = '{ entries(contentType: "product", first: 50) { edges { node { id slug } } } }'
    apollo.ask(listing)
    apollo.ask("{ products(first: 50) { edges { node { id price } } } }")
    apollo.ask('{ entry(id: "tent-x2") { id contentType ... on Product { title } } }')
    apollo.read(listing)

    result = apollo.run()

    records = result["records"]
    assert result["reads"][0]["complete"] is True
    assert not [r for r in records if r.startswith(("Entry:", "GenericEntry:"))]
    assert {"slug", "price", "contentType", "title"} <= set(records["Product:tent-x2"])


def test_two_queries_keep_their_fields_of_one_personalization(
    client: TestClient, keys: Keys
) -> None:
    apollo = Apollo(client, keys.public, anonymous_id="ann")
    detail = '{ entry(id: "tent-x2") { id personalization { id baseline variantId } } }'
    apollo.ask(detail)
    apollo.ask("{ products(first: 50) { edges { node { id personalization { id reason } } } } }")
    apollo.read(detail)

    read = apollo.run()["reads"][0]

    assert read["complete"] is True, read["missing"]
    assert read["data"]["entry"]["personalization"]["baseline"] is True


def test_set_consent_updates_what_viewer_consent_showed(client: TestClient, keys: Keys) -> None:
    apollo = Apollo(client, keys.public, anonymous_id="ann")
    shown = "{ viewer { id consent { id purpose granted } } }"
    apollo.ask(shown)
    apollo.ask(
        "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) "
        "{ id purpose granted } }"
    )
    apollo.read(shown)

    read = apollo.run()["reads"][0]

    granted = {s["purpose"]: s["granted"] for s in read["data"]["viewer"]["consent"]}
    assert read["complete"] is True and granted["ANALYTICS"] is True


def test_a_segment_keeps_its_size_under_viewer(client: TestClient, keys: Keys) -> None:
    as_ada = {"X-Veneer-User-Id": "ada"}
    upsert = """mutation($r: JSON!) { upsertSegment(key: "adults", name: "Adults", rule: $r)
      { id key } }"""
    data(gql(client, upsert, {"r": {"trait": "age", "op": "gte", "value": 18}}, key=keys.secret))
    grant = """mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true},
      {purpose: PERSONALIZATION, granted: true}]) { id } }"""
    data(gql(client, grant, key=keys.secret, **as_ada))
    data(gql(client, "mutation { identify(traits: {age: 40}) { id } }", key=keys.secret, **as_ada))
    apollo = Apollo(client, keys.secret, **as_ada)
    listing = "{ segments { id key size } }"
    apollo.ask(listing)
    apollo.ask("{ viewer { id segments { id key size } } }")
    apollo.read(listing)

    read = apollo.run()["reads"][0]

    assert read["data"] == {
        "segments": [{"__typename": "Segment", "id": "adults", "key": "adults", "size": 1}]
    }


def test_entries_can_be_kept_apart_by_locale_with_one_type_policy(
    client: TestClient, keys: Keys
) -> None:
    by_locale = {"Entry": {"keyFields": ["id", "locale"]}}  # inherited through possibleTypes
    apollo = Apollo(client, keys.public, by_locale, anonymous_id="ann")
    apollo.ask("{ entries(first: 50) { edges { node { id locale slug } } } }")

    records = apollo.run()["records"]

    assert 'Product:{"id":"tent-x2","locale":"en"}' in records
    assert 'Article:{"id":"rope-care-basics","locale":"en"}' in records
