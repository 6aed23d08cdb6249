"""`Viewer.propensity(event:)` through the real app: who may read which score, and errors.

The scores are stored here as a training run stores them (`save_model`, `replace_scores`),
so these tests are about serving; training itself is tests/jobs/test_propensity.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.propensity import replace_scores, save_model

TRAINED_AT = datetime(2026, 11, 1, 12, tzinfo=UTC)
SCORES = {"anon:keen": 0.83, "anon:private": 0.9, "user:alice": 0.12}
QUERY = '{ viewer { id propensity(event: "purchase") { event score model updatedAt } } }'
CONSENT = "mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose granted } }"


@pytest.fixture
def settings(both_caches: Settings) -> Settings:
    """Scores are cached with the viewer's record: both caches must drop them on withdrawal."""
    return both_caches.model_copy(update={"propensity_events": "purchase,signup"})


def _plant(settings: Settings) -> None:
    async def plant() -> None:
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                version = await save_model(
                    session, "purchase", "logistic", {"features": []}, b"", TRAINED_AT
                )
                await replace_scores(session, "purchase", version, SCORES, TRAINED_AT)
        finally:
            await db.dispose()

    asyncio.run(plant())


@pytest.fixture
def client(settings: Settings, keys: Keys) -> Iterator[TestClient]:
    _plant(settings)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as test_client:
        for viewer, granted in (("keen", True), ("private", False)):
            decisions = [{"purpose": "PERSONALIZATION", "granted": granted}]
            data(gql(test_client, CONSENT, {"p": decisions}, key=keys.public, anonymous_id=viewer))
        alice = {"X-Veneer-User-Id": "alice"}
        decisions = [{"purpose": "PERSONALIZATION", "granted": True}]
        data(gql(test_client, CONSENT, {"p": decisions}, key=keys.secret, **alice))
        yield test_client


def test_a_viewer_reads_their_own_score(client: TestClient, keys: Keys) -> None:
    viewer = data(gql(client, QUERY, key=keys.public, anonymous_id="keen"))["viewer"]

    assert viewer["id"] == "anon:keen"
    assert viewer["propensity"] == {
        "event": "purchase",
        "score": 0.83,
        "model": "logistic:v1",
        "updatedAt": TRAINED_AT.isoformat(),
    }


def test_no_personalization_consent_or_no_score_reads_null(client: TestClient, keys: Keys) -> None:
    private = data(gql(client, QUERY, key=keys.public, anonymous_id="private"))["viewer"]
    unscored = data(gql(client, QUERY, key=keys.public, anonymous_id="keen-later"))["viewer"]
    untrained = '{ viewer { propensity(event: "signup") { score } } }'
    signup = data(gql(client, untrained, key=keys.public, anonymous_id="keen"))["viewer"]

    assert private["propensity"] is None, "a stored score, but no PERSONALIZATION: null"
    assert unscored["propensity"] is None
    assert signup["propensity"] is None, "configured, not trained yet: null, not an error"


def test_a_public_key_never_reads_another_viewers_score(client: TestClient, keys: Keys) -> None:
    named = client.post(
        "/graphql",
        json={"query": QUERY},
        headers={
            "Authorization": f"Bearer {keys.public}",
            "X-Veneer-Anonymous-Id": "keen",
            "X-Veneer-User-Id": "alice",
        },
    )
    backend = gql(client, QUERY, key=keys.secret, **{"X-Veneer-User-Id": "alice"})

    assert named.status_code == 403 and "0.12" not in named.text
    assert data(backend)["viewer"]["propensity"]["score"] == 0.12, "secret keys may"


def test_an_unknown_event_is_a_bad_user_input_naming_the_argument(
    client: TestClient, keys: Keys
) -> None:
    query = '{ viewer { propensity(event: "purchse") { score } } }'
    body = gql(client, query, key=keys.public, anonymous_id="keen")

    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "event"
    assert error["message"] == "event: no propensity model for 'purchse'; known: purchase, signup"
    assert error["path"] == ["viewer", "propensity"]


def test_withdrawing_personalization_deletes_the_score_at_once(
    client: TestClient, keys: Keys
) -> None:
    data(gql(client, QUERY, key=keys.public, anonymous_id="keen"))  # cached with the record
    withdrawn = [{"purpose": "PERSONALIZATION", "granted": False}]
    data(gql(client, CONSENT, {"p": withdrawn}, key=keys.public, anonymous_id="keen"))
    again = [{"purpose": "PERSONALIZATION", "granted": True}]
    data(gql(client, CONSENT, {"p": again}, key=keys.public, anonymous_id="keen"))

    viewer = data(gql(client, QUERY, key=keys.public, anonymous_id="keen"))["viewer"]
    assert viewer["propensity"] is None, "gone, not hidden: granting again does not bring it back"
