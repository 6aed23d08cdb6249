"""Segments and triggers that test special-category data are refused, through every way
they are saved, unless the deployment allows the trait with its basis."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.jobs.trigger_files import apply_triggers
from veneer.services import Services
from veneer.settings import Settings
from veneer.triggers.definition import TriggerError, parse_trigger

SEGMENT = """mutation($key: String!, $rule: JSON!) {
  upsertSegment(key: $key, name: "n", rule: $rule) { key } }"""
TRIGGER = "mutation($input: TriggerInput!) { upsertTrigger(input: $input) { key } }"
FAITH = {"all": [{"trait": "region", "op": "eq", "value": "alps"},
                 {"not": {"trait": "religion", "op": "exists"}}]}  # fmt: skip
DIAGNOSIS = {"trait": "diagnosis", "op": "eq", "value": "diabetes"}
ALLOWED = {
    "sensitive_traits": {"diagnosis": "health"},
    "sensitive_traits_allowed": {"diagnosis": "Article 9(2)(a): explicit consent, form HC-2"},
}


def _trigger(when: dict[str, Any]) -> dict[str, Any]:
    return {"key": "t", "when": when, "offer": {"placement": "hero", "entry": "kettle-pot-set"}}


@pytest.fixture
def marking(settings: Settings) -> Iterator[TestClient]:
    """A deployment that marks ``diagnosis`` as health data and allows it with a basis."""
    changed = settings.model_copy(update=ALLOWED)
    with TestClient(create_app(changed), base_url="http://127.0.0.1") as client:
        yield client


def _refused(body: dict[str, Any]) -> str:
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    return str(error["message"])


def test_a_segment_testing_a_marked_trait_is_refused_by_name(
    client: TestClient, keys: Keys
) -> None:
    body = gql(client, SEGMENT, {"key": "faithful", "rule": FAITH}, key=keys.secret)
    message = _refused(body)
    assert "special-category data" in message and "'religion' (religion)" in message
    assert body["errors"][0]["extensions"]["field"] == "rule"
    assert data(gql(client, "{ segments { key } }", key=keys.secret))["segments"] == []


def test_a_trigger_testing_a_marked_trait_is_refused_too(client: TestClient, keys: Keys) -> None:
    body = gql(client, TRIGGER, {"input": _trigger(FAITH)}, key=keys.secret)
    assert "'religion' (religion)" in _refused(body)


def test_a_trait_the_deployment_marks_is_refused_until_it_is_allowed(
    client: TestClient, marking: TestClient, keys: Keys
) -> None:
    plain = data(gql(client, SEGMENT, {"key": "d", "rule": DIAGNOSIS}, key=keys.secret))
    assert plain == {"upsertSegment": {"key": "d"}}, "not marked here: an ordinary trait"
    saved = data(gql(marking, SEGMENT, {"key": "d2", "rule": DIAGNOSIS}, key=keys.secret))
    assert saved == {"upsertSegment": {"key": "d2"}}, "marked, and allowed with its basis"
    body = gql(marking, SEGMENT, {"key": "f", "rule": FAITH}, key=keys.secret)
    assert "'religion' (religion)" in _refused(body), "allowing one allows no other"


def test_a_triggers_file_testing_a_marked_trait_is_refused_whole(settings: Settings) -> None:
    wanted = [parse_trigger(_trigger(DIAGNOSIS)), parse_trigger({**_trigger(FAITH), "key": "u"})]

    async def run() -> str:
        services = Services(
            settings.model_copy(update={"sensitive_traits": {"diagnosis": "health"}})
        )
        try:
            with pytest.raises(TriggerError) as refused:
                await apply_triggers(services, wanted, dry_run=False)
            return str(refused.value)
        finally:
            await services.aclose()

    message = asyncio.run(run())
    assert message.startswith("$.triggers[0].when") and "'diagnosis' (health)" in message
