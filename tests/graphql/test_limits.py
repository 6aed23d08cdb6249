"""Oversized documents are refused before validation, saying which limit; real ones pass."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from graphql import get_introspection_query
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
TEN_THOUSAND_ALIASES = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(10_000)) + " }"
FIVE_HUNDRED_SAME_FIELDS = "{ viewer { " + "id " * 500 + "} }"
LIMIT_CODES = {"TOO_MANY_TOKENS", "QUERY_TOO_COMPLEX"}


def _refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None
    [error] = body["errors"]
    result: dict[str, Any] = error
    return result


def _nested(levels: int) -> str:
    """Fields ``levels`` deep; no Veneer type nests that far, so validation would refuse it."""
    return "{ " + "a { " * (levels - 1) + "b" + " }" * levels


def test_ten_thousand_aliases_are_refused_before_they_are_read(
    client: TestClient, keys: Keys
) -> None:
    body = gql(client, TEN_THOUSAND_ALIASES, key=keys.public, anonymous_id="a")
    error = _refusal(body)
    assert error["message"] == (
        "The document has more than 20000 characters; the limit for a public key is 20000."
    )
    assert error["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": "characters", "max": 20000}

    secret = _refusal(gql(client, TEN_THOUSAND_ALIASES, key=keys.secret))
    assert secret["extensions"]["max"] == 80_000  # secret keys: 4 times as much


def test_parsing_stops_at_the_token_limit(client: TestClient, keys: Keys) -> None:
    query = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(200)) + " }"  # 1202 tokens
    error = _refusal(gql(client, query, key=keys.public, anonymous_id="a"))
    assert error["message"] == (
        "The document has more than 1000 tokens; the limit for a public key is 1000."
    )
    assert error["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": "tokens", "max": 1000}
    secret = _refusal(gql(client, query, key=keys.secret))  # within 4000 tokens
    assert secret["extensions"]["limit"] == "aliases"


def test_five_hundred_identical_fields_exceed_the_field_limit(
    client: TestClient, keys: Keys
) -> None:
    error = _refusal(gql(client, FIVE_HUNDRED_SAME_FIELDS, key=keys.public, anonymous_id="a"))
    assert error["message"] == (
        "The document selects 501 fields (fragments count where spread); "
        "the limit for a public key is 300."
    )
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "fields",
        "max": 300,
        "found": 501,
    }


def test_aliases_are_limited_and_secret_keys_may_use_more(client: TestClient, keys: Keys) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(20)) + " }"
    error = _refusal(gql(client, query, key=keys.public, anonymous_id="a"))
    assert error["message"] == "The document uses 20 aliases; the limit for a public key is 15."
    assert error["extensions"]["limit"] == "aliases"
    assert len(data(gql(client, query, key=keys.secret))) == 20


def test_depth_is_limited_before_validation(client: TestClient, keys: Keys) -> None:
    within = _refusal(gql(client, _nested(10), key=keys.public, anonymous_id="a"))
    assert within["message"] == "Cannot query field 'a' on type 'Query'."  # validation's word
    error = _refusal(gql(client, _nested(11), key=keys.public, anonymous_id="a"))
    assert (
        error["message"] == "The document nests fields 11 deep; the limit for a public key is 10."
    )
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_fragments_spreading_each_other_are_refused_not_expanded(
    client: TestClient, keys: Keys
) -> None:
    chain = " ".join(f"fragment F{i} on Viewer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    query = f"{{ viewer {{ ...F0 }} }} {chain} fragment F40 on Viewer {{ id }}"
    error = _refusal(gql(client, query, key=keys.public, anonymous_id="a"))
    assert error["message"].startswith("The document selects at least 1000000000 fields")


def test_a_fragment_cycle_is_left_to_validation(client: TestClient, keys: Keys) -> None:
    query = "{ viewer { ...A } } fragment A on Viewer { id ...B } fragment B on Viewer { ...A }"
    error = _refusal(gql(client, query, key=keys.public, anonymous_id="a"))
    assert "Cannot spread fragment 'A' within itself" in error["message"]


def test_comments_are_limited_too(client: TestClient, keys: Keys) -> None:
    query = "#\n" * 1001 + "{ viewer { id } }"
    error = _refusal(gql(client, query, key=keys.public, anonymous_id="a"))
    assert error["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": "comments", "max": 1000}


def test_graphiql_introspection_passes_for_a_public_key(client: TestClient, keys: Keys) -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    assert data(gql(client, query, key=keys.public))["__schema"]["queryType"]["name"] == "Query"


def _readme_queries() -> list[str]:
    """Every GraphQL document the README shows, in ```graphql blocks or inside JSON bodies."""
    text = README.read_text()
    found = re.findall(r"```graphql\n(.*?)```", text, re.DOTALL)
    for body in re.findall(r"'(\{\s*\"query\".*?\})'", text, re.DOTALL):
        found.append(json.loads(body)["query"])
    return found


def test_the_readme_queries_pass_for_a_public_key(client: TestClient, keys: Keys) -> None:
    queries = _readme_queries()
    assert len(queries) >= 8
    for query in queries:
        body = gql(client, query, key=keys.public, anonymous_id="reader")
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
        assert not codes & LIMIT_CODES, (query, body)


def test_limits_come_from_settings(settings: Settings, keys: Keys) -> None:
    tight = settings.model_copy(update={"graphql_max_fields": 10, "graphql_secret_key_factor": 2})
    query = "{ viewer { " + "id " * 15 + "} }"
    with TestClient(create_app(tight), base_url="http://127.0.0.1") as client:
        public = _refusal(gql(client, query, key=keys.public, anonymous_id="a"))
        assert public["extensions"]["max"] == 10
        data(gql(client, query, key=keys.secret, **{"X-Veneer-User-Id": "u"}))
