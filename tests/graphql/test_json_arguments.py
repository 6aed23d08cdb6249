"""JSON arguments: a value no database could keep is the client's error, and nothing is kept.

Integers past 64 bits, non-finite numbers and NUL characters used to be saved (or half
saved) and then fail every later read, refresh or encode of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType, get_named_type
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.graphql.schema import schema

RANGE = "integer out of range (must fit in 64 bits)"
UPSERT = """mutation($r: JSON!) { upsertSegment(key: "big", name: "Big", rule: $r) { key } }"""
PREVIEW = "query($r: JSON!) { segmentPreview(rule: $r) { size } }"
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"
TRACK = """mutation($e: [EventInput!]!) {
  track(events: $e) { accepted rejected { index field message } } }"""
SEGMENTS = "{ segments { key rule size } }"
TRAITS = "{ viewer { traits } }"


def _refused(body: dict[str, Any], field: str, path: str, reason: str) -> None:
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == f"{field}: {path}: {reason}"
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field, "path": path}


def _age_over(value: str) -> str:
    return '{all: [{trait: "age", op: "gt", value: VALUE}]}'.replace("VALUE", value)


@pytest.mark.parametrize(
    ("literal", "reason"),
    [
        (str(2**70), RANGE),
        (str(2**63), RANGE),
        (str(-(2**63) - 1), RANGE),
        ("1e400", "number must be finite"),
    ],
)
def test_segment_rules_as_literals(
    client: TestClient, keys: Keys, literal: str, reason: str
) -> None:
    rule = _age_over(literal)
    upsert = f'mutation {{ upsertSegment(key: "big", name: "Big", rule: {rule}) {{ key }} }}'
    preview = f"{{ segmentPreview(rule: {rule}) {{ size }} }}"
    for query in (upsert, preview):
        _refused(gql(client, query, key=keys.secret), "rule", "$.all[0].value", reason)
    assert data(gql(client, SEGMENTS, key=keys.secret))["segments"] == []


def test_segment_rules_through_variables(client: TestClient, keys: Keys) -> None:
    for bad, path, reason in [
        ({"trait": "age", "op": "gt", "value": 2**64 - 1}, "$.value", RANGE),
        ({"trait": "name", "op": "eq", "value": "a\0"}, "$.value", "NUL character"),
    ]:
        for query in (UPSERT, PREVIEW):
            body = gql(client, query, {"r": bad}, key=keys.secret)
            assert body["errors"][0]["extensions"]["path"] == path
            assert body["errors"][0]["message"].startswith(f"rule: {path}: ")
            assert reason in body["errors"][0]["message"]
    assert data(gql(client, SEGMENTS, key=keys.secret))["segments"] == []


@pytest.mark.parametrize("number", [2**64, 2**70, -(2**63) - 1, 10**30])
def test_integers_no_decoder_may_round_are_refused_not_stored_as_floats(
    client: TestClient, keys: Keys, number: int
) -> None:
    """A fast JSON decoder reads these as the nearest float: a number nobody sent."""
    rule = {"trait": "age", "op": "gt", "value": number}
    _refused(gql(client, UPSERT, {"r": rule}, key=keys.secret), "rule", "$.value", RANGE)
    assert data(gql(client, SEGMENTS, key=keys.secret))["segments"] == []


def test_traits(client: TestClient, keys: Keys) -> None:
    literal = f"mutation {{ identify(traits: {{age: {2**70}}}) {{ id }} }}"
    _refused(gql(client, literal, key=keys.public, anonymous_id="v1"), "traits", "$.age", RANGE)
    variables = {"t": {"sizes": [1, 2**63]}}
    body = gql(client, IDENTIFY, variables, key=keys.public, anonymous_id="v1")
    _refused(body, "traits", "$.sizes[1]", RANGE)
    nul_key = gql(client, IDENTIFY, {"t": {"a\0": 1}}, key=keys.public, anonymous_id="v1")
    assert nul_key["errors"][0]["message"].startswith('traits: $["a\\u0000"]: keys must not')
    viewer = data(gql(client, TRAITS, key=keys.public, anonymous_id="v1"))["viewer"]
    assert viewer["traits"] == {}
    data(gql(client, IDENTIFY, {"t": {"age": 2**63 - 1}}, key=keys.public, anonymous_id="v1"))


def test_event_properties_and_context(client: TestClient, keys: Keys) -> None:
    events = [
        {"id": "j1", "type": "click", "properties": {"n": 2**63}},
        {"id": "j2", "type": "click", "context": {"url": "/a\0"}},
        {"id": "j3", "type": "click", "properties": {"n": 2**63 - 1}},
    ]
    result = data(gql(client, TRACK, {"e": events}, key=keys.public, anonymous_id="v2"))["track"]
    assert result["accepted"] == 1
    assert result["rejected"] == [
        {"index": 0, "field": "properties.n", "message": RANGE},
        {
            "index": 1,
            "field": "context.url",
            "message": "text must not contain the NUL character (\\u0000)",
        },
    ]
    literal = 'mutation { track(events: [{id: "j4", type: "click", properties: {n: 1e400}}]) ' + (
        "{ rejected { field message } } }"
    )
    rejected = data(gql(client, literal, key=keys.public, anonymous_id="v2"))["track"]["rejected"]
    assert rejected == [{"field": "properties.n", "message": "number must be finite"}]


def test_every_json_argument_is_covered_above() -> None:
    """A new JSON argument or input field must be checked (and added to these tests)."""
    found = set()
    for type_ in schema._schema.type_map.values():
        if type_.name.startswith("__"):
            continue
        if isinstance(type_, GraphQLObjectType):
            for name, field in type_.fields.items():
                for arg_name, arg in field.args.items():
                    if get_named_type(arg.type).name == "JSON":
                        found.add(f"{type_.name}.{name}({arg_name})")
        if isinstance(type_, GraphQLInputObjectType):
            for name, input_field in type_.fields.items():
                if get_named_type(input_field.type).name == "JSON":
                    found.add(f"{type_.name}.{name}")
    assert found == {
        "Mutation.upsertSegment(rule)",
        "Query.segmentPreview(rule)",
        "Mutation.identify(traits)",
        "EventInput.properties",
        "EventInput.context",
        "TriggerInput.when",
        "TriggerInput.page",
        "OfferInput.content",
        "OfferInput.params",
    }


TRIGGER = """mutation($i: TriggerInput!) { upsertTrigger(input: $i) { key } }"""


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ({"when": {"trait": "age", "op": "gt", "value": 2**70}}, "input.when"),
        ({"page": {"timeOnPage": {"gte": 2**70}}}, "input.page"),
        ({"offer": {"placement": "cart", "params": {"code": 2**70}}}, "input.offer.params"),
        ({"offer": {"placement": "cart", "content": {"n": 2**70}}}, "input.offer.content"),
    ],
)
def test_trigger_inputs(client: TestClient, keys: Keys, where: dict[str, Any], field: str) -> None:
    spec = {"key": "big", "offer": {"placement": "cart", "entry": "tent-x2"}, **where}
    body = gql(client, TRIGGER, {"i": spec}, key=keys.secret)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["field"] == field
    assert RANGE in error["message"]
    assert data(gql(client, "{ triggers { key } }", key=keys.secret))["triggers"] == []
