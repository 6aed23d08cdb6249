"""`viewer`, `setConsent` and `identify`, and who may act for whom."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET, Keys
from tests.helpers import data, error_messages, gql
from veneer.identity.tokens import create_viewer_token
from veneer.settings import Settings

VIEWER = (
    "{ viewer { id anonymousId userId traits consent { purpose granted source policyVersion } } }"
)
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id traits } }"
CONSENT = """
mutation($p: [ConsentInput!]!, $s: String, $v: String) {
  setConsent(purposes: $p, source: $s, policyVersion: $v) {
    purpose granted source policyVersion updatedAt
  }
}"""


@pytest.fixture
def settings(both_caches: Settings) -> Settings:
    """These tests run with the in-process cache and with Redis."""
    return both_caches


def _consent(states: list[dict[str, object]]) -> dict[object, object]:
    return {s["purpose"]: s["granted"] for s in states}


def test_a_new_viewer_has_opt_in_defaults(client: TestClient, keys: Keys) -> None:
    viewer = data(gql(client, VIEWER, key=keys.public, anonymous_id="new-1"))["viewer"]

    assert viewer["id"] == "anon:new-1"
    assert viewer["anonymousId"] == "new-1"
    assert viewer["userId"] is None
    assert _consent(viewer["consent"]) == {
        "NECESSARY": True,
        "ANALYTICS": False,
        "PERSONALIZATION": False,
        "RECOMMENDATIONS": False,
        "THIRD_PARTY": False,
    }


def test_set_consent_is_stored_with_source_and_policy_version(
    client: TestClient, keys: Keys
) -> None:
    purposes = [
        {"purpose": "ANALYTICS", "granted": True},
        {"purpose": "THIRD_PARTY", "granted": True},
    ]
    states = data(
        gql(
            client,
            CONSENT,
            {"p": purposes, "s": "banner", "v": "v7"},
            key=keys.public,
            anonymous_id="c1",
        )
    )["setConsent"]
    assert _consent(states)["ANALYTICS"] is True
    analytics = next(s for s in states if s["purpose"] == "ANALYTICS")
    assert analytics["source"] == "banner"
    assert analytics["policyVersion"] == "v7"
    assert analytics["updatedAt"] is not None

    again = data(gql(client, VIEWER, key=keys.public, anonymous_id="c1"))["viewer"]
    assert _consent(again["consent"])["ANALYTICS"] is True
    assert _consent(again["consent"])["PERSONALIZATION"] is False


def test_global_privacy_control_denies_third_party(client: TestClient, keys: Keys) -> None:
    data(
        gql(
            client,
            CONSENT,
            {"p": [{"purpose": "THIRD_PARTY", "granted": True}]},
            key=keys.public,
            anonymous_id="gpc",
        )
    )

    with_gpc = data(gql(client, VIEWER, key=keys.public, anonymous_id="gpc", **{"Sec-GPC": "1"}))
    without = data(gql(client, VIEWER, key=keys.public, anonymous_id="gpc"))

    assert _consent(with_gpc["viewer"]["consent"])["THIRD_PARTY"] is False
    assert _consent(without["viewer"]["consent"])["THIRD_PARTY"] is True


def test_bad_consent_input_names_the_field(client: TestClient, keys: Keys) -> None:
    deny_necessary = gql(
        client,
        CONSENT,
        {"p": [{"purpose": "NECESSARY", "granted": False}]},
        key=keys.public,
        anonymous_id="x",
    )
    twice = gql(
        client,
        CONSENT,
        {
            "p": [
                {"purpose": "ANALYTICS", "granted": True},
                {"purpose": "ANALYTICS", "granted": False},
            ]
        },
        key=keys.public,
        anonymous_id="x",
    )
    unknown = gql(
        client,
        CONSENT,
        {"p": [{"purpose": "SELLING", "granted": True}]},
        key=keys.public,
        anonymous_id="x",
    )
    empty = gql(client, CONSENT, {"p": []}, key=keys.public, anonymous_id="x")

    assert error_messages(deny_necessary) == [
        "purposes: NECESSARY is always granted; it cannot be denied"
    ]
    assert error_messages(twice) == ["purposes: ANALYTICS is given twice"]
    assert "SELLING" in error_messages(unknown)[0]
    assert error_messages(empty) == ["purposes: give at least one purpose"]
    viewer = data(gql(client, VIEWER, key=keys.public, anonymous_id="x"))["viewer"]
    assert _consent(viewer["consent"])["ANALYTICS"] is False, "a refused call stores nothing"


def test_identify_merges_traits_and_null_removes_one(client: TestClient, keys: Keys) -> None:
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"age": 31, "region": "alps"}},
            key=keys.public,
            anonymous_id="t1",
        )
    )
    viewer = data(
        gql(
            client, IDENTIFY, {"t": {"age": 32, "region": None}}, key=keys.public, anonymous_id="t1"
        )
    )
    assert viewer["identify"]["traits"] == {"age": 32}


def test_identify_rejects_traits_that_are_not_an_object(client: TestClient, keys: Keys) -> None:
    body = gql(client, IDENTIFY, {"t": [1, 2]}, key=keys.public, anonymous_id="t2")
    assert error_messages(body) == ["traits: must be a JSON object of trait name to value"]
    assert body["errors"][0]["extensions"]["field"] == "traits"


def test_public_key_sees_only_its_own_viewer(client: TestClient, keys: Keys) -> None:
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"email_domain": "example.org"}},
            key=keys.public,
            anonymous_id="alice",
        )
    )

    bob = data(gql(client, VIEWER, key=keys.public, anonymous_id="bob"))["viewer"]
    assert bob["traits"] == {}

    response = client.post(
        "/graphql",
        json={"query": VIEWER},
        headers={
            "Authorization": f"Bearer {keys.public}",
            "X-Veneer-Anonymous-Id": "bob",
            "X-Veneer-User-Id": "alice",
        },
    )
    assert response.status_code == 403
    assert "only secret keys may name a user" in response.json()["errors"][0]["message"]


def test_public_key_cannot_change_another_viewer(client: TestClient, keys: Keys) -> None:
    response = client.post(
        "/graphql",
        json={"query": IDENTIFY, "variables": {"t": {"vip": True}}},
        headers={"Authorization": f"Bearer {keys.public}", "X-Veneer-User-Id": "carol"},
    )
    assert response.status_code == 403
    carol = data(gql(client, VIEWER, key=keys.secret, **{"X-Veneer-User-Id": "carol"}))["viewer"]
    assert carol["traits"] == {}


def test_viewer_token_logs_the_viewer_in(client: TestClient, keys: Keys) -> None:
    token = create_viewer_token("dana", TEST_SECRET)
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"plan": "pro"}},
            key=keys.public,
            anonymous_id="device-9",
            **{"X-Veneer-Viewer-Token": token},
        )
    )

    seen_by_backend = data(gql(client, VIEWER, key=keys.secret, **{"X-Veneer-User-Id": "dana"}))
    assert seen_by_backend["viewer"]["id"] == "user:dana"
    assert seen_by_backend["viewer"]["traits"] == {"plan": "pro"}


def test_forged_and_expired_viewer_tokens_are_refused(client: TestClient, keys: Keys) -> None:
    forged = create_viewer_token("dana", "someone-elses-secret-0123456789-0123")
    expired = create_viewer_token("dana", TEST_SECRET, ttl=-3600)
    for token, reason in ((forged, "signature is invalid"), (expired, "has expired")):
        response = client.post(
            "/graphql",
            json={"query": VIEWER},
            headers={"Authorization": f"Bearer {keys.public}", "X-Veneer-Viewer-Token": token},
        )
        assert response.status_code == 401
        assert reason in response.json()["errors"][0]["message"]


def test_viewer_needs_a_named_viewer(client: TestClient, keys: Keys) -> None:
    body = gql(client, VIEWER, key=keys.public)
    assert body["errors"][0]["extensions"]["code"] == "NO_VIEWER"
    assert "X-Veneer-Anonymous-Id" in body["errors"][0]["message"]


def test_a_policy_version_longer_than_stored_is_refused(client: TestClient, keys: Keys) -> None:
    long = {"p": [{"purpose": "ANALYTICS", "granted": True}], "v": "v" * 65}
    body = gql(client, CONSENT, long, key=keys.public, anonymous_id="pv")
    assert error_messages(body) == ["policyVersion: must be at most 64 characters"]
