"""Erasure, export and the consent audit trail: privacy a person can act on."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import TEST_SECRET, Keys
from tests.helpers import data, error_messages, gql, settle
from veneer.cli import app as cli
from veneer.identity.tokens import create_viewer_token
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.models import (
    ConsentRecordRow,
    ErasureRow,
    EventReceiptRow,
    EventRow,
    IdentityLinkRow,
    ProfileRow,
)

GRANT = """mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"""
ALL = {
    "p": [
        {"purpose": "ANALYTICS", "granted": True},
        {"purpose": "PERSONALIZATION", "granted": True},
    ]
}
HISTORY = """query($u: String, $a: String) {
  consentHistory(userId: $u, anonymousId: $a) {
    purpose granted source policyVersion gpc recordedAt
  }
}"""


@pytest.fixture
def settings(both_caches: Settings) -> Settings:
    """These tests run with the in-process cache and with Redis."""
    return both_caches


def _rows(settings: Settings) -> dict[str, int]:
    async def count() -> dict[str, int]:
        db = Database(settings.database_url)
        result = {}
        async with db.session() as session:
            for model in (
                EventRow,
                ConsentRecordRow,
                ProfileRow,
                IdentityLinkRow,
                ErasureRow,
                EventReceiptRow,
            ):
                result[model.__tablename__] = await session.scalar(
                    select(func.count()).select_from(model)
                )
        await db.dispose()
        return result

    return asyncio.run(count())


def _person_with_history(client: TestClient, keys: Keys) -> dict[str, str]:
    """User `eve` with a linked phone: consent, traits, events on both ids."""
    as_eve = {
        "X-Veneer-Viewer-Token": create_viewer_token("eve", TEST_SECRET, anonymous_id="eve-phone")
    }
    data(gql(client, GRANT, ALL, key=keys.public, anonymous_id="eve-phone"))
    client.post(
        "/v1/events",
        json=[{"id": "ev-1", "type": "click"}],
        headers={"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": "eve-phone"},
    )
    settle(client)  # the phone's click is in its profile before eve logs in on it
    data(
        gql(
            client,
            "mutation { identify(traits: {age: 40}) { id } }",
            key=keys.public,
            anonymous_id="eve-phone",
            **as_eve,
        )
    )
    client.post(
        "/v1/events",
        json=[{"id": "ev-2", "type": "search", "properties": {"query": "stove"}}],
        headers={
            "Authorization": f"Bearer {keys.public}",
            "X-Veneer-Anonymous-Id": "eve-phone",
            **as_eve,
        },
    )
    settle(client)
    return as_eve


def test_forget_viewer_erases_the_person_everywhere(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    as_eve = _person_with_history(client, keys)
    data(gql(client, GRANT, ALL, key=keys.public, anonymous_id="bystander"))
    before = _rows(settings)
    assert before["events"] == 2 and before["identity_links"] == 1

    result = data(
        gql(
            client, "mutation { forgetViewer }", key=keys.public, anonymous_id="eve-phone", **as_eve
        )
    )

    assert result == {"forgetViewer": True}
    after = _rows(settings)
    assert after["events"] == 0
    assert after["identity_links"] == 0
    assert after["profiles"] == 0
    assert before["consent_records"] == 6, "the phone's two, eve's copies of them, the bystander's"
    assert after["consent_records"] == 2, "only the bystander's remain"
    assert after["erasures"] == 1
    assert after["event_receipts"] == 2, "ids stay, so retries are still duplicates"
    viewer = data(
        gql(
            client,
            "{ viewer { traits activity } }",
            key=keys.public,
            anonymous_id="eve-phone",
            **as_eve,
        )
    )
    assert viewer["viewer"] == {"traits": {}, "activity": {}}, "nothing cached survives"
    phone = data(
        gql(
            client,
            "{ viewer { consent { purpose granted } } }",
            key=keys.public,
            anonymous_id="eve-phone",
        )
    )
    granted = {c["purpose"] for c in phone["viewer"]["consent"] if c["granted"]}
    assert granted == {"NECESSARY"}, "the phone's own consent records went too"


def test_the_erasure_record_holds_no_personal_data(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    as_eve = _person_with_history(client, keys)
    data(
        gql(
            client, "mutation { forgetViewer }", key=keys.public, anonymous_id="eve-phone", **as_eve
        )
    )

    async def erasure() -> Any:
        db = Database(settings.database_url)
        async with db.session() as session:
            row = await session.scalar(select(ErasureRow))
        await db.dispose()
        return row

    row = asyncio.run(erasure())
    dumped = orjson.dumps({"by": row.requested_by, "removed": row.removed}).decode()
    assert "eve-phone" not in dumped and '"eve"' not in dumped and "user:eve" not in dumped
    assert row.removed["events"] == 2


def test_export_and_forget_from_the_command_line(
    client: TestClient, keys: Keys, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    _person_with_history(client, keys)
    monkeypatch.setenv("VENEER_DATABASE_URL", settings.database_url)
    runner = CliRunner()

    exported = runner.invoke(cli, ["export", "eve", "--output", str(tmp_path / "eve.json")])
    assert exported.exit_code == 0, exported.output
    document = orjson.loads((tmp_path / "eve.json").read_bytes())
    assert document["userId"] == "eve" and document["anonymousIds"] == ["eve-phone"]
    assert sorted(e["id"] for e in document["events"]) == ["ev-1", "ev-2"]
    assert document["profiles"][0]["traits"] == {"age": 40}
    assert {(c["viewerId"], c["purpose"]) for c in document["consentHistory"]} == {
        (viewer_id, purpose)
        for viewer_id in ("anon:eve-phone", "user:eve")
        for purpose in ("ANALYTICS", "PERSONALIZATION")
    }, "the phone keeps its banner's decisions; eve has copies"
    assert document["identityMerges"][0]["eventsMoved"] == 1
    assert document["segments"] == []

    refused = runner.invoke(cli, ["forget", "eve"], input="n\n")
    assert refused.exit_code == 1 and _rows(settings)["events"] == 2
    forgotten = runner.invoke(cli, ["forget", "eve", "--yes"])
    assert forgotten.exit_code == 0 and "2 events" in forgotten.output
    assert _rows(settings)["events"] == 0


def test_consent_history_is_the_audit_trail(client: TestClient, keys: Keys) -> None:
    deny = {"p": [{"purpose": "ANALYTICS", "granted": False}]}
    data(gql(client, GRANT, ALL, key=keys.public, anonymous_id="aud"))
    data(gql(client, GRANT, deny, key=keys.public, anonymous_id="aud", **{"Sec-GPC": "1"}))

    history = data(gql(client, HISTORY, {"a": "aud"}, key=keys.secret))["consentHistory"]

    assert [(h["purpose"], h["granted"], h["gpc"]) for h in history] == [
        ("ANALYTICS", True, False),
        ("PERSONALIZATION", True, False),
        ("ANALYTICS", False, True),
    ]
    assert error_messages(
        gql(client, HISTORY, {"a": "aud"}, key=keys.public, anonymous_id="aud")
    ) == ["this field needs a secret key"]
    assert error_messages(gql(client, HISTORY, {}, key=keys.secret)) == [
        "give exactly one of userId or anonymousId"
    ]


def test_preference_center_mirrors_set_consent(client: TestClient, keys: Keys) -> None:
    auth = {"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": "pc"}
    body = {
        "purposes": [{"purpose": "ANALYTICS", "granted": True}],
        "source": "preferences",
        "policyVersion": "3",
    }

    posted = client.post("/v1/consent", json=body, headers=auth)
    fetched = client.get("/v1/consent", headers=auth)

    assert posted.status_code == 200
    assert posted.json() == fetched.json()
    states = {p["purpose"]: p for p in fetched.json()["purposes"]}
    assert states["ANALYTICS"]["granted"] is True and states["ANALYTICS"]["source"] == "preferences"
    assert states["PERSONALIZATION"]["granted"] is False
    viewer = data(
        gql(
            client, "{ viewer { consent { purpose granted } } }", key=keys.public, anonymous_id="pc"
        )
    )
    assert {"purpose": "ANALYTICS", "granted": True} in viewer["viewer"]["consent"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"nope", "body: not valid JSON"),
        (b"[]", "body: must be an object"),
        (
            b'{"purposes": [{"purpose": "SELLING", "granted": true}]}',
            "purposes[0].purpose: must be one of",
        ),
        (
            b'{"purposes": [{"purpose": "ANALYTICS", "granted": "yes"}]}',
            "purposes[0].granted: must be true or false",
        ),
        (
            b'{"purposes": [{"purpose": "NECESSARY", "granted": false}]}',
            "NECESSARY is always granted",
        ),
        (b'{"purposes": []}', "purposes: give at least one purpose"),
    ],
)
def test_preference_center_refuses_bad_input(
    client: TestClient, keys: Keys, body: bytes, message: str
) -> None:
    auth = {"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": "pc2"}
    response = client.post("/v1/consent", content=body, headers=auth)
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


def test_preference_center_needs_a_viewer(client: TestClient, keys: Keys) -> None:
    response = client.get("/v1/consent", headers={"Authorization": f"Bearer {keys.public}"})
    assert response.status_code == 400


def test_erasure_reaches_events_not_yet_processed(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    data(gql(client, GRANT, ALL, key=keys.public, anonymous_id="quick"))
    response = client.post(
        "/v1/events",
        json=[{"id": "q-1", "type": "click"}, {"id": "q-2", "type": "click"}],
        headers={"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": "quick"},
    )
    assert response.json()["accepted"] == 2

    data(gql(client, "mutation { forgetViewer }", key=keys.public, anonymous_id="quick"))
    settle(client)

    assert _rows(settings)["events"] == 0
    viewer = data(gql(client, "{ viewer { activity } }", key=keys.public, anonymous_id="quick"))
    assert viewer["viewer"]["activity"] == {}
