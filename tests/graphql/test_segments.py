"""`segments`, `upsertSegment`, `deleteSegment`: secret-key administration of audiences."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql, headers
from veneer.services import Services
from veneer.store.segments import upsert_segment

UPSERT = """
mutation($key: String!, $name: String!, $rule: JSON!) {
  upsertSegment(key: $key, name: $name, rule: $rule) { key name rule size }
}"""
DELETE = "mutation($key: String!) { deleteSegment(key: $key) }"
LIST = "{ segments { key name rule } }"
RULE = {"trait": "region", "op": "in", "value": ["alps", "nordics"]}


def _upsert(client: TestClient, keys: Keys, key: str, rule: object, name: str = "A segment"):
    return gql(client, UPSERT, {"key": key, "name": name, "rule": rule}, key=keys.secret)


def test_create_update_list_and_delete(client: TestClient, keys: Keys) -> None:
    created = data(_upsert(client, keys, "cold", RULE, "Cold places"))["upsertSegment"]
    assert created == {"key": "cold", "name": "Cold places", "rule": RULE, "size": 0}

    renamed = {"trait": "region", "op": "eq", "value": "alps"}
    data(_upsert(client, keys, "cold", renamed, "Alpine"))
    listed = data(gql(client, LIST, key=keys.secret))["segments"]
    assert listed == [{"key": "cold", "name": "Alpine", "rule": renamed}]

    assert data(gql(client, DELETE, {"key": "cold"}, key=keys.secret))["deleteSegment"] is True
    assert data(gql(client, DELETE, {"key": "cold"}, key=keys.secret))["deleteSegment"] is False
    assert data(gql(client, LIST, key=keys.secret))["segments"] == []


def test_public_keys_cannot_read_or_change_segments(client: TestClient, keys: Keys) -> None:
    listing = gql(client, LIST, key=keys.public, anonymous_id="a")
    upsert = gql(client, UPSERT, {"key": "x", "name": "X", "rule": RULE}, key=keys.public)
    delete = gql(client, DELETE, {"key": "x"}, key=keys.public)
    for body in (listing, upsert, delete):
        assert error_messages(body) == ["this field needs a secret key"]
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert data(gql(client, LIST, key=keys.secret))["segments"] == []


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        (
            {"all": [RULE, {"event": "view", "count": {"most": 3}}]},
            "$.all[1].count.most",
            "must be one of",
        ),
        ({"any": []}, "$.any", "must be a non-empty list of rules"),
        ({"not": {"trait": "age", "op": "older", "value": 3}}, "$.not.op", "must be one of"),
        ({"event": "view", "within": "2 weeks"}, "$.within", "window must look like"),
        ({"trait": "age", "op": "between", "value": [45, 30]}, "$.value", "low <= high"),
        ({"colour": "blue"}, "$", "a rule needs exactly one of"),
    ],
)
def test_a_rule_that_does_not_parse_names_the_bad_node(
    client: TestClient, keys: Keys, rule: object, path: str, message: str
) -> None:
    body = _upsert(client, keys, "bad", rule)
    error = body["errors"][0]
    assert error["message"].startswith(f"rule: {path}: ")
    assert message in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "rule", "path": path}
    assert data(gql(client, LIST, key=keys.secret))["segments"] == []


def test_references_must_exist_and_must_not_form_a_cycle(client: TestClient, keys: Keys) -> None:
    unknown = _upsert(client, keys, "a", {"segment": "ghost"})
    assert error_messages(unknown) == ["rule: refers to unknown segment(s): ghost"]

    data(_upsert(client, keys, "a", RULE))
    data(_upsert(client, keys, "b", {"not": {"segment": "a"}}))
    cycle = _upsert(client, keys, "a", {"segment": "b"})
    assert error_messages(cycle) == ["rule: segments refer to each other in a cycle: a -> b -> a"]
    itself = _upsert(client, keys, "c", {"segment": "c"})
    assert error_messages(itself) == ["rule: segments refer to each other in a cycle: c -> c"]

    in_use = gql(client, DELETE, {"key": "a"}, key=keys.secret)
    assert error_messages(in_use) == ["key: segment 'a' is used by: b"]


@pytest.mark.parametrize(
    ("key", "name", "rule", "message"),
    [
        ("Has Spaces", "n", RULE, "key: must be 1-100 lowercase letters"),
        ("ok", "  ", RULE, "name: must not be empty"),
        ("ok", "n", [RULE], "rule: must be a JSON object"),
    ],
)
def test_bad_segment_fields(
    client: TestClient, keys: Keys, key: str, name: str, rule: object, message: str
) -> None:
    body = _upsert(client, keys, key, rule, name)
    assert error_messages(body)[0].startswith(message)


def test_windows_longer_than_ten_years_are_refused(client: TestClient, keys: Keys) -> None:
    for window in ("999999d", "99999999999d"):
        body = _upsert(client, keys, "forever", {"event": "click", "within": window})
        assert error_messages(body) == ["rule: $.within: window is longer than 3650 days"]


def test_a_rule_saved_before_numbers_were_checked_still_lists(
    client: TestClient, keys: Keys
) -> None:
    """Its number is past what orjson encodes; the listing shows it so it can be fixed."""
    huge = {"trait": "age", "op": "gt", "value": 2**70}

    async def save(services: Services) -> None:
        async with services.db.session() as session:
            await upsert_segment(session, "huge", "Huge", huge)
        await services.segments_changed()

    assert client.portal is not None
    client.portal.call(save, client.app.state.services)  # type: ignore[attr-defined]

    response = client.post("/graphql", json={"query": LIST}, headers=headers(keys.secret))
    assert response.status_code == 200
    assert response.json()["data"]["segments"] == [{"key": "huge", "name": "Huge", "rule": huge}]
    assert data(gql(client, DELETE, {"key": "huge"}, key=keys.secret))["deleteSegment"] is True
