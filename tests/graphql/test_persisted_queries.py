"""Automatic Persisted Queries as Apollo Client, urql and Relay send them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET, Keys
from tests.helpers import headers
from veneer.app import create_app
from veneer.settings import Settings

QUERY = '{ entry(id: "tent-x2") { id title: field(name: "title") } }'
SHA = hashlib.sha256(QUERY.encode()).hexdigest()
ANSWER = {"data": {"entry": {"id": "tent-x2", "title": "Trailhead X2 Tent"}}}


def _extensions(sha: str = SHA, version: Any = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha}}


def _post(client: TestClient, keys: Keys, body: dict[str, Any]) -> Any:
    return client.post("/graphql", json=body, headers=headers(keys.public, "v-1"))


def _get(client: TestClient, keys: Keys, **params: Any) -> Any:
    query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    accept = {"Accept": "*/*"}  # what curl and CDNs send: never the IDE for a hash
    return client.get("/graphql", params=query, headers=headers(keys.public, "v-1", **accept))


@pytest.fixture
def settings(both_caches: Settings) -> Settings:
    """Registered documents are kept in the in-process cache, and in Redis."""
    return both_caches


def test_an_unknown_hash_asks_for_the_text_then_the_hash_alone_is_enough(
    client: TestClient, keys: Keys
) -> None:
    first = _post(client, keys, {"extensions": _extensions()})
    assert first.status_code == 200
    assert first.json() == {
        "data": None,
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ],
    }
    registered = _post(client, keys, {"query": QUERY, "extensions": _extensions()})
    assert registered.json() == ANSWER
    assert _post(client, keys, {"extensions": _extensions()}).json() == ANSWER
    got = _get(client, keys, extensions=_extensions())
    assert got.status_code == 200 and got.json() == ANSWER


def test_variables_and_operation_names_go_with_the_hash(client: TestClient, keys: Keys) -> None:
    query = (
        "query One($id: ID!) { entry(id: $id) { id } } "
        "query Two { entries(first: 1) { edges { cursor } } }"
    )
    sha = hashlib.sha256(query.encode()).hexdigest()
    body = {"query": query, "operationName": "One", "variables": {"id": "tent-x2"}}
    assert _post(client, keys, {**body, "extensions": _extensions(sha)}).json() == {
        "data": {"entry": {"id": "tent-x2"}}
    }
    again = _get(
        client,
        keys,
        operationName="One",
        variables={"id": "kettle-pot-set"},
        extensions=_extensions(sha),
    )
    assert again.json() == {"data": {"entry": {"id": "kettle-pot-set"}}}


@pytest.mark.parametrize(
    ("extensions", "field"),
    [
        (_extensions(version=2), "extensions.persistedQuery.version"),
        (_extensions(sha="abc"), "extensions.persistedQuery.sha256Hash"),
        (_extensions(sha=SHA.upper()), "extensions.persistedQuery.sha256Hash"),
        ({"persistedQuery": "yes"}, "extensions.persistedQuery"),
    ],
)
def test_a_malformed_extension_is_a_400_naming_the_field(
    client: TestClient, keys: Keys, extensions: dict[str, Any], field: str
) -> None:
    response = _post(client, keys, {"query": QUERY, "extensions": extensions})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["field"] == field


def test_a_text_that_does_not_match_its_hash_is_refused_and_not_kept(
    client: TestClient, keys: Keys
) -> None:
    other = hashlib.sha256(b"{ viewer { id } }").hexdigest()
    response = _post(client, keys, {"query": QUERY, "extensions": _extensions(other)})
    assert response.status_code == 400
    assert "provided sha does not match query" in response.json()["errors"][0]["message"]
    later = _post(client, keys, {"extensions": _extensions(other)}).json()
    assert later["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_a_persisted_mutation_still_needs_post(client: TestClient, keys: Keys) -> None:
    mutation = 'mutation { track(events: [{id: "apq-1", type: "page_view"}]) { accepted } }'
    sha = hashlib.sha256(mutation.encode()).hexdigest()
    assert (
        "errors"
        not in _post(client, keys, {"query": mutation, "extensions": _extensions(sha)}).json()
    )
    response = _get(client, keys, extensions=_extensions(sha))
    assert response.status_code == 405 and response.headers["allow"] == "POST"


def test_a_document_registered_on_one_app_process_serves_another(
    database_url: str, redis_url: str, keys: Keys
) -> None:
    settings = Settings(
        database_url=database_url, secret=TEST_SECRET, content="sample", redis_url=redis_url
    )
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        assert _post(one, keys, {"query": QUERY, "extensions": _extensions()}).json() == ANSWER
        assert _post(two, keys, {"extensions": _extensions()}).json() == ANSWER


PERSONAL = '{ entry(id: "tent-x2") { id title: field(name: "title") } }'
GRANT = "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) { purpose } }"
CAMPERS = """mutation { upsertSegment(key: "campers", name: "Campers",
  rule: {trait: "interests", op: "contains", value: "camping"}) { key } }"""


def _hero(client: TestClient, keys: Keys, viewer: str, etag: str | None = None) -> Any:
    extra = {"Accept": "application/json"}
    if etag is not None:
        extra["If-None-Match"] = etag
    sha = hashlib.sha256(PERSONAL.encode()).hexdigest()
    params = {"extensions": json.dumps(_extensions(sha))}
    return client.get("/graphql", params=params, headers=headers(keys.public, viewer, **extra))


def test_get_answers_carry_an_etag_that_is_never_another_viewers(
    client: TestClient, keys: Keys
) -> None:
    sha = hashlib.sha256(PERSONAL.encode()).hexdigest()
    client.post(
        "/graphql",
        json={"query": PERSONAL, "extensions": _extensions(sha)},
        headers=headers(keys.public, "x"),
    )
    client.post("/graphql", json={"query": CAMPERS}, headers=headers(keys.secret))
    for viewer in ("camper", "other"):
        client.post("/graphql", json={"query": GRANT}, headers=headers(keys.public, viewer))
    identify = 'mutation { identify(traits: {interests: ["camping"]}) { id } }'
    client.post("/graphql", json={"query": identify}, headers=headers(keys.public, "camper"))

    camper, other = _hero(client, keys, "camper"), _hero(client, keys, "other")
    assert camper.headers["cache-control"] == "private, no-cache"
    assert "X-Veneer-Anonymous-Id" in camper.headers["vary"]
    assert camper.json() != other.json() and camper.headers["etag"] != other.headers["etag"]

    # the other viewer presenting the camper's ETag gets their own answer, never a 304
    crossed = _hero(client, keys, "other", camper.headers["etag"])
    assert crossed.status_code == 200 and crossed.json() == other.json()
    held = _hero(client, keys, "camper", camper.headers["etag"])
    assert held.status_code == 304 and held.content == b""
    assert held.headers["etag"] == camper.headers["etag"]

    # a change to the viewer shows on the very next request, whatever the client holds
    stop = GRANT.replace("granted: true", "granted: false")
    client.post("/graphql", json={"query": stop}, headers=headers(keys.public, "camper"))
    changed = _hero(client, keys, "camper", camper.headers["etag"])
    assert changed.status_code == 200 and changed.json() == other.json()


def test_an_answer_for_nobody_in_particular_may_be_kept_by_any_cache(
    client: TestClient, keys: Keys
) -> None:
    """A request naming no viewer gets what every such request gets: public for as long as
    Veneer reuses it. Naming a viewer, or reading about one, keeps it private."""
    tent = {"query": '{ entry(id: "tent-x2") { id personalization { reason } } }'}
    nobody = client.get("/graphql", params=tent, headers=headers(keys.public))
    assert nobody.headers["cache-control"] == "public, max-age=60"
    assert "Authorization" in nobody.headers["vary"] and "Sec-GPC" in nobody.headers["vary"]
    again = client.get("/graphql", params=tent, headers=headers(keys.public))
    assert again.headers["cache-control"] == "public, max-age=60"
    assert again.json() == nobody.json()

    someone = client.get("/graphql", params=tent, headers=headers(keys.public, "someone"))
    assert someone.headers["cache-control"] == "private, no-cache"
    about = {"query": '{ entry(id: "tent-x2") { id } viewer { segments { key } } }'}
    refused = client.get("/graphql", params=about, headers=headers(keys.public))
    assert refused.headers.get("cache-control") != "public, max-age=60"
