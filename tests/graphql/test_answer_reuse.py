"""Reused answers equal running the document, value for value, for every viewer.

Two apps share one database: one reuses answers (the default), the other runs every
document (``VENEER_ANSWER_CACHE_SIZE=0``). Generated documents (aliases, fragments,
variables, ``@include``/``@skip``, ``__typename``, nulls and errors, some reading the viewer)
are asked for viewers who differ in segments, consent and experiment arm, twice each from
the reusing app, and the answers compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.graphql.answer_viewers import Viewer, documents, set_up_shop
from tests.helpers import data, gql, headers
from veneer.app import create_app
from veneer.settings import Settings

RESULTS = """{ experimentResults(key: "pack-headline") { arms { arm users } } }"""


Apps = tuple[TestClient, TestClient, list[Viewer]]


@pytest.fixture
def apps(settings: Settings, keys: Keys) -> Iterator[Apps]:
    """The reusing app, the running app, and the viewers."""
    running_settings = settings.model_copy(update={"answer_cache_size": 0})
    with (
        TestClient(create_app(settings)) as reusing,
        TestClient(create_app(running_settings)) as running,
    ):
        yield reusing, running, set_up_shop(running, keys)


def _answers(outcome: str) -> float:
    return REGISTRY.get_sample_value("veneer_graphql_answers_total", {"outcome": outcome}) or 0


def _ask(client: TestClient, keys: Keys, body: dict[str, Any], device: str) -> Any:
    response = client.post("/graphql", json=body, headers=headers(keys.public, device))
    assert response.status_code == 200, response.text
    return response.json()


def test_reused_answers_equal_running_the_document_for_every_viewer(apps: Apps, keys: Keys) -> None:
    reusing, running, viewers = apps
    before = {o: _answers(o) for o in ("reused", "kept", "ran")}
    bodies = documents(seed=14, count=36)
    for body in bodies:
        for viewer in viewers:
            expected = _ask(running, keys, body, viewer.device)
            first = _ask(reusing, keys, body, viewer.device)
            again = _ask(reusing, keys, body, viewer.device)
            assert first == expected, (body["query"], viewer)
            assert again == expected, (body["query"], viewer)
    counted = {o: _answers(o) - before[o] for o in before}
    asked = len(bodies) * len(viewers)
    # All three ways are covered (the running app's answers count as "ran" too).
    assert counted["reused"] >= asked / 2, counted
    assert counted["kept"] > 0 and counted["ran"] > asked, counted


def test_a_reused_answer_records_the_exposures_it_shows(apps: Apps, keys: Keys) -> None:
    """Each consenting viewer served the pack's experiment is counted once, reused or not."""
    reusing, _, viewers = apps
    pack = {"query": '{ entry(id: "basecamp-55-pack") { personalization { experiment { arm } } } }'}
    counted = [v for v in viewers if {"PERSONALIZATION", "ANALYTICS"} <= set(v.profile.purposes)]
    for _ in range(2):
        for viewer in viewers:
            _ask(reusing, keys, pack, viewer.device)
    users = data(gql(reusing, RESULTS, key=keys.secret))["experimentResults"]["arms"]
    assert sum(arm["users"] for arm in users) == len(counted)
