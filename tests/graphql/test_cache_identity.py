"""What a normalized client cache (Apollo, urql, Relay) keys on: `__typename` and `id`.

Two answers about the same thing must name it the same way, or the cache keeps two records
that drift apart; two answers about different things must not, or one overwrites the other.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.content_adapters.file import SAMPLE_CONTENT
from veneer.settings import Settings

REF = "__typename id"
TENT = "tent-x2"


def _entry_refs(client: TestClient, keys: Keys) -> list[dict[str, Any]]:
    """tent-x2 as each root field that can return it names it."""
    query = f"""{{
      entries(contentType: "product", first: 50) {{ edges {{ node {{ {REF} }} }} }}
      products(first: 50) {{ edges {{ node {{ {REF} }} }} }}
      entry(id: "{TENT}") {{ {REF} }}
      bySlug: entry(contentType: "product", slug: "trailhead-x2-tent") {{ {REF} }}
      product(id: "{TENT}") {{ {REF} }}
    }}"""
    found = data(gql(client, query, key=keys.public, anonymous_id="a"))
    listed = [
        edge["node"]
        for connection in (found["entries"], found["products"])
        for edge in connection["edges"]
        if edge["node"]["id"] == TENT
    ]
    return [*listed, found["entry"], found["bySlug"], found["product"]]


def test_a_typed_entry_is_one_record_wherever_it_appears(client: TestClient, keys: Keys) -> None:
    refs = _entry_refs(client, keys)

    assert refs == [{"__typename": "Product", "id": TENT}] * 5


def test_queries_written_against_the_entry_interface_keep_working(
    client: TestClient, keys: Keys
) -> None:
    query = """
    fragment Card on Entry { id slug title: field(name: "title") personalization { baseline } }
    {
      entry(id: "tent-x2") { ...Card contentType ... on Product { price } }
      products(first: 1) { edges { node { ...Card } } }
      article(slug: "rope-care-basics") { ... on Entry { contentType } }
    }"""
    found = data(gql(client, query, key=keys.public, anonymous_id="a"))

    assert found["entry"] == {
        "id": TENT,
        "slug": "trailhead-x2-tent",
        "title": "Trailhead X2 Tent",
        "personalization": {"baseline": True},
        "contentType": "product",
        "price": found["entry"]["price"],
    }
    assert isinstance(found["entry"]["price"], float)
    assert found["products"]["edges"][0]["node"]["personalization"] == {"baseline": True}
    assert found["article"] == {"contentType": "article"}


@pytest.fixture
def odd_content(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """The sample shop plus a content type whose GraphQL name is taken (`Viewer`)."""
    folder = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, folder)
    (folder / "viewer").mkdir()
    (folder / "viewer" / "binoculars.md").write_text("---\ntitle: Binoculars\n---\nLook.\n")
    over = settings.model_copy(update={"content": f"file:{folder}"})
    with TestClient(create_app(over), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_an_entry_without_typed_fields_is_a_generic_entry(
    odd_content: TestClient, keys: Keys
) -> None:
    query = '{ entry(id: "binoculars") { __typename id contentType fields } }'

    found = data(gql(odd_content, query, key=keys.public, anonymous_id="a"))["entry"]

    assert found == {
        "__typename": "GenericEntry",
        "id": "binoculars",
        "contentType": "viewer",
        "fields": {"title": "Binoculars", "body": found["fields"]["body"]},
    }


PERSONALIZATION_IDS = """{
  entry(id: "tent-x2") { personalization { id } }
  products(first: 50) { edges { node { id personalization { id } } } }
  other: product(id: "cinder-trail-runner") { personalization { id } }
}"""


def _personalization_ids(client: TestClient, keys: Keys, viewer: str) -> dict[str, str]:
    found = data(gql(client, PERSONALIZATION_IDS, key=keys.public, anonymous_id=viewer))
    listed = {
        e["node"]["id"]: e["node"]["personalization"]["id"] for e in found["products"]["edges"]
    }
    assert listed[TENT] == found["entry"]["personalization"]["id"], "one record under both"
    return {TENT: listed[TENT], "cinder-trail-runner": found["other"]["personalization"]["id"]}


def test_a_personalization_is_one_record_per_entry_and_viewer(
    client: TestClient, keys: Keys
) -> None:
    ann = _personalization_ids(client, keys, "ann")
    ann_again = _personalization_ids(client, keys, "ann")
    bob = _personalization_ids(client, keys, "bob")

    assert ann == ann_again, "stable from one request to the next"
    assert ann[TENT] != ann["cinder-trail-runner"], "two entries: two records"
    assert set(ann.values()).isdisjoint(bob.values()), "two viewers: two records"
    assert not any("ann" in i or "bob" in i for i in (*ann.values(), *bob.values()))


SET_CONSENT = """mutation {
  setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) { id purpose granted }
}"""
CONSENT = "{ viewer { id consent { id purpose granted } } }"


def _by_purpose(states: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["purpose"]: s for s in states}


def test_set_consent_updates_the_records_viewer_consent_showed(
    client: TestClient, keys: Keys
) -> None:
    before = data(gql(client, CONSENT, key=keys.public, anonymous_id="ann"))["viewer"]
    changed = data(gql(client, SET_CONSENT, key=keys.public, anonymous_id="ann"))["setConsent"]
    after = data(gql(client, CONSENT, key=keys.public, anonymous_id="ann"))["viewer"]
    bob = data(gql(client, CONSENT, key=keys.public, anonymous_id="bob"))["viewer"]

    shown, written = _by_purpose(before["consent"]), _by_purpose(changed)
    assert {p: s["id"] for p, s in shown.items()} == {p: s["id"] for p, s in written.items()}
    assert (shown["ANALYTICS"]["granted"], written["ANALYTICS"]["granted"]) == (False, True)
    assert after["consent"] == changed
    assert len({s["id"] for s in before["consent"]}) == len(before["consent"]), "per purpose"
    assert {s["id"] for s in bob["consent"]}.isdisjoint(shown[p]["id"] for p in shown)


UPSERT = """mutation($r: JSON!) {
  upsertSegment(key: "adults", name: "Adults", rule: $r) { id key size }
}"""
SEGMENTS = "{ segments { id key size } viewer { segments { id key size } } }"
VIEWER_SEGMENTS = "{ viewer { segments { id key size } } }"
ADULTS = {"trait": "age", "op": "gte", "value": 18}
IDENTIFY = "mutation { identify(traits: {age: 40}) { id } }"


def test_a_segment_has_one_size_wherever_it_appears(client: TestClient, keys: Keys) -> None:
    as_ada = {"X-Veneer-User-Id": "ada"}
    grant = """mutation { setConsent(purposes: [
      {purpose: ANALYTICS, granted: true}, {purpose: PERSONALIZATION, granted: true}]) { id } }"""
    data(gql(client, UPSERT, {"r": ADULTS}, key=keys.secret))
    data(gql(client, grant, key=keys.secret, **as_ada))
    data(gql(client, IDENTIFY, key=keys.secret, **as_ada))

    found = data(gql(client, SEGMENTS, key=keys.secret, **as_ada))
    again = data(gql(client, UPSERT, {"r": ADULTS}, key=keys.secret))["upsertSegment"]

    segment = {"id": "adults", "key": "adults", "size": 1}
    assert found == {"segments": [segment], "viewer": {"segments": [segment]}}
    assert again == segment, "upsertSegment answers with the same size, not null"


def test_through_a_public_key_sizes_are_null_and_not_an_error(
    client: TestClient, keys: Keys
) -> None:
    data(gql(client, UPSERT, {"r": ADULTS}, key=keys.secret))
    grant = "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) { id } }"
    data(gql(client, grant, key=keys.public, anonymous_id="ann"))
    data(gql(client, IDENTIFY, key=keys.public, anonymous_id="ann"))

    found = data(gql(client, VIEWER_SEGMENTS, key=keys.public, anonymous_id="ann"))

    assert found == {"viewer": {"segments": [{"id": "adults", "key": "adults", "size": None}]}}
