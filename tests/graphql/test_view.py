"""The GraphQL view's typed schema: whatever goes wrong building it, requests are answered."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.graphql import view
from veneer.settings import Settings


def test_a_failing_content_model_leaves_the_generic_fields_answering(
    settings: Settings,
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*_args: object) -> list[object]:
        raise RuntimeError("an adapter's bug")

    monkeypatch.setattr(view, "sample_entries", broken)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        body = gql(client, '{ entry(id: "tent-x2") { id } }', key=keys.public, anonymous_id="v")

    assert data(body)["entry"] == {"id": "tent-x2"}
    assert "typed GraphQL fields not refreshed" in caplog.text
