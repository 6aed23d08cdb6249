"""A viewer's journey: consent, traits, segments, and the variant they then see."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.settings import Settings

UPSERT = """
mutation($key: String!, $name: String!, $rule: JSON!) {
  upsertSegment(key: $key, name: $name, rule: $rule) { key name rule }
}"""
CONSENT = """
mutation($purposes: [ConsentInput!]!) {
  setConsent(purposes: $purposes, source: "banner", policyVersion: "2026-11") {
    purpose granted source
  }
}"""
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id segments { key } } }"
SHOE = """{
  entry(id: "cinder-trail-runner") {
    fields
    title: field(name: "title")
    personalization { baseline variantId reason segments purposes }
  }
}"""
TRAIL = {"trait": "interests", "op": "contains", "value": "trail-running"}


@pytest.fixture
def settings(both_caches: Settings) -> Settings:
    """These tests run with the in-process cache and with Redis."""
    return both_caches


def _grant(client: TestClient, keys: Keys, viewer: str, *purposes: str) -> None:
    body = gql(
        client,
        CONSENT,
        {"purposes": [{"purpose": p, "granted": True} for p in purposes]},
        key=keys.public,
        anonymous_id=viewer,
    )
    data(body)


def _trail_segment(client: TestClient, keys: Keys) -> None:
    body = gql(
        client, UPSERT, {"key": "trail-runners", "name": "Trail", "rule": TRAIL}, key=keys.secret
    )
    data(body)


def test_segment_member_with_consent_sees_the_tagged_variant(
    client: TestClient, keys: Keys
) -> None:
    _trail_segment(client, keys)
    _grant(client, keys, "runner-1", "PERSONALIZATION")
    viewer = data(
        gql(
            client,
            IDENTIFY,
            {"t": {"interests": ["trail-running"]}},
            key=keys.public,
            anonymous_id="runner-1",
        )
    )
    assert viewer["identify"]["segments"] == [{"key": "trail-runners"}]

    entry = data(gql(client, SHOE, key=keys.public, anonymous_id="runner-1"))["entry"]

    assert entry["personalization"] == {
        "baseline": False,
        "variantId": "v-trail",
        "reason": "segment `trail-runners` matched variant `v-trail`",
        "segments": ["trail-runners"],
        "purposes": ["PERSONALIZATION"],
    }
    assert entry["title"] == "Cinder: Built for Long Descents"
    assert entry["fields"]["badge"] == "Staff pick for trail runners"
    assert entry["fields"]["price"] == 149.0  # baseline fields the variant leaves alone


def test_without_personalization_consent_the_viewer_sees_the_baseline(
    client: TestClient, keys: Keys
) -> None:
    _trail_segment(client, keys)
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"interests": ["trail-running"]}},
            key=keys.public,
            anonymous_id="shy",
        )
    )
    _grant(client, keys, "shy", "ANALYTICS")

    entry = data(gql(client, SHOE, key=keys.public, anonymous_id="shy"))["entry"]

    assert entry["personalization"]["baseline"] is True
    assert entry["personalization"]["reason"] == "no PERSONALIZATION consent: baseline"
    assert entry["title"] == "Cinder Trail Runner"
    assert "badge" not in entry["fields"]
    viewer = data(
        gql(client, "{ viewer { segments { key } } }", key=keys.public, anonymous_id="shy")
    )
    assert viewer["viewer"]["segments"] == [], "no profiling without PERSONALIZATION"


def test_withdrawing_consent_takes_effect_on_the_next_request(
    client: TestClient, keys: Keys
) -> None:
    _trail_segment(client, keys)
    _grant(client, keys, "fickle", "PERSONALIZATION")
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"interests": ["trail-running"]}},
            key=keys.public,
            anonymous_id="fickle",
        )
    )
    before = data(gql(client, SHOE, key=keys.public, anonymous_id="fickle"))
    assert before["entry"]["personalization"]["variantId"] == "v-trail"

    body = gql(
        client,
        CONSENT,
        {"purposes": [{"purpose": "PERSONALIZATION", "granted": False}]},
        key=keys.public,
        anonymous_id="fickle",
    )
    data(body)

    after = data(gql(client, SHOE, key=keys.public, anonymous_id="fickle"))
    assert after["entry"]["personalization"]["baseline"] is True


def test_higher_priority_variant_wins_for_a_viewer_in_two_segments(
    client: TestClient, keys: Keys
) -> None:
    _trail_segment(client, keys)
    beginners = {"trait": "experience", "op": "eq", "value": "beginner"}
    data(
        gql(client, UPSERT, {"key": "beginners", "name": "New", "rule": beginners}, key=keys.secret)
    )
    _grant(client, keys, "both", "PERSONALIZATION")
    traits = {"interests": ["trail-running"], "experience": "beginner"}
    data(gql(client, IDENTIFY, {"t": traits}, key=keys.public, anonymous_id="both"))

    entry = data(gql(client, SHOE, key=keys.public, anonymous_id="both"))["entry"]

    assert entry["personalization"]["variantId"] == "v-trail"  # priority 20 beats 10


def test_a_segment_that_refers_to_another_segment(client: TestClient, keys: Keys) -> None:
    _trail_segment(client, keys)
    rule = {
        "all": [{"segment": "trail-runners"}, {"trait": "age", "op": "between", "value": [30, 45]}]
    }
    data(
        gql(
            client,
            UPSERT,
            {"key": "trail-30s", "name": "Trail 30-45", "rule": rule},
            key=keys.secret,
        )
    )
    _grant(client, keys, "v30", "PERSONALIZATION")

    viewer = data(
        gql(
            client,
            IDENTIFY,
            {"t": {"interests": ["trail-running"], "age": 38}},
            key=keys.public,
            anonymous_id="v30",
        )
    )

    assert [s["key"] for s in viewer["identify"]["segments"]] == ["trail-30s", "trail-runners"]


def test_secret_key_acts_for_a_named_user(client: TestClient, keys: Keys) -> None:
    _trail_segment(client, keys)
    as_user = {"X-Veneer-User-Id": "user-42"}
    data(
        gql(
            client,
            CONSENT,
            {"purposes": [{"purpose": "PERSONALIZATION", "granted": True}]},
            key=keys.secret,
            **as_user,
        )
    )
    data(gql(client, IDENTIFY, {"t": {"interests": ["trail-running"]}}, key=keys.secret, **as_user))

    entry = data(gql(client, SHOE, key=keys.secret, **as_user))["entry"]

    assert entry["personalization"]["variantId"] == "v-trail"
