"""Experiments on CMS variants through GraphQL: started from the variants' key, sticky arms,
exposures once per viewer, conversions after exposure, carry-over at login, stop, erasure.

The sample pack `basecamp-55-pack` carries one variant, `weekend-copy`, tagged with the
experiment key `pack-headline`, as an editor would tag it in the CMS.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET, Keys
from tests.helpers import data, error_messages, gql, settle
from veneer.experiments.assignment import hashed_arm
from veneer.experiments.definition import Experiment
from veneer.identity.tokens import create_viewer_token
from veneer.identity.viewer import profile_id
from veneer.settings import Settings
from veneer.store.experiments import record_exposures

START = """
mutation($input: ExperimentInput!) {
  upsertExperiment(input: $input) { key metric status trafficShare arms { key weight control } }
}"""
STOP = "mutation($key: String!) { stopExperiment(key: $key) { key status } }"
RESULTS = """
query($key: String!) {
  experimentResults(key: $key) {
    key metric trustworthy sequential varianceReduction arms { arm users conversions }
    comparisons { arm lift ciLow ciHigh pValue pValueAdjusted chanceToBeatControl }
    decision
  }
}"""
PACK = """{ entry(id: "basecamp-55-pack") {
  title: field(name: "title")
  personalization { baseline variantId reason experiment { key arm } }
} }"""
GRANT = "mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"
TRACK = "mutation($e: [EventInput!]!) { track(events: $e) { accepted rejected { message } } }"
FORGET = "mutation { forgetViewer }"
BASELINE_TITLE = "Basecamp 55 Pack"
NOW = datetime.now(UTC)
VARIANT_TITLE = "Basecamp 55: Pack for a Week, Carry It Like a Weekend"


@pytest.fixture
def settings(both_caches: Settings) -> Settings:
    """These tests run with the in-process cache and with Redis."""
    return both_caches


def _start(client: TestClient, keys: Keys, **extra: Any) -> dict[str, Any]:
    variables = {"input": {"key": "pack-headline", "metric": "purchase", **extra}}
    return data(gql(client, START, variables, key=keys.secret))["upsertExperiment"]


def _grant(client: TestClient, keys: Keys, device: str, *purposes: str, **h: str) -> None:
    grants = [{"purpose": p, "granted": True} for p in purposes]
    data(gql(client, GRANT, {"p": grants}, key=keys.public, anonymous_id=device, **h))


def _pack(client: TestClient, keys: Keys, device: str, **h: str) -> dict[str, Any]:
    return data(gql(client, PACK, key=keys.public, anonymous_id=device, **h))["entry"]


def _results(client: TestClient, keys: Keys) -> dict[str, Any]:
    body = gql(client, RESULTS, {"key": "pack-headline"}, key=keys.secret)
    return data(body)["experimentResults"]


def _users(results: dict[str, Any]) -> dict[str, int]:
    return {a["arm"]: a["users"] for a in results["arms"]}


def _device_in(arm: str, prefix: str = "d") -> str:
    """A device id the hash puts in ``arm`` (what the server computes, seed aside)."""
    for n in range(1000):
        device = f"{prefix}-{n}"
        if _arm_of(profile_id(device, None)) == arm:
            return device
    raise AssertionError("no device found")


_SEED: dict[str, Experiment] = {}


def _arm_of(viewer_id: str) -> str | None:
    return hashed_arm(_SEED["experiment"], viewer_id)


@pytest.fixture
def started(client: TestClient, keys: Keys, settings: Settings) -> None:
    """The experiment, started from the tagged variants; the test learns its seed."""
    _start(client, keys)
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    experiments = client.portal.call(services.experiments, True)
    _SEED["experiment"] = experiments["pack-headline"]


def test_started_from_the_key_alone_the_tagged_variants_are_the_arms(
    client: TestClient, keys: Keys
) -> None:
    started = _start(client, keys)
    assert started == {
        "key": "pack-headline",
        "metric": "purchase",
        "status": "running",
        "trafficShare": 1.0,
        "arms": [
            {"key": "control", "weight": 0.5, "control": True},
            {"key": "weekend-copy", "weight": 0.5, "control": False},
        ],
    }
    listed = data(gql(client, "{ experiments { key status } }", key=keys.secret))
    assert listed["experiments"] == [{"key": "pack-headline", "status": "running"}]


def test_a_public_key_can_neither_start_nor_read_experiments(
    client: TestClient, keys: Keys
) -> None:
    body = gql(client, START, {"input": {"key": "x", "metric": "purchase"}}, key=keys.public)
    assert error_messages(body) == ["this field needs a secret key"]
    body = gql(client, RESULTS, {"key": "pack-headline"}, key=keys.public)
    assert error_messages(body) == ["this field needs a secret key"]


@pytest.mark.parametrize(
    ("extra", "field", "says"),
    [
        ({"key": "Bad Key"}, "key", "lowercase"),
        ({"metric": "purchase value"}, "metric", "not an event type"),
        ({"trafficShare": 0}, "trafficShare", "above 0"),
        ({"arms": [{"key": "a", "weight": 1}, {"key": "b", "weight": 1}]}, "arms", "control"),
        ({"arms": [{"key": "control", "weight": 1}, {"key": "b", "weight": -1}]}, "arms[1]", "0"),
        ({"key": "untagged"}, "arms", "no variant in the CMS carries"),
        ({"start": "2026-12-02T00:00:00", "end": "2026-12-03T00:00:00Z"}, "start", "zone"),
    ],
)
def test_bad_definitions_name_the_field(
    client: TestClient, keys: Keys, extra: dict[str, Any], field: str, says: str
) -> None:
    variables = {"input": {"key": "pack-headline", "metric": "purchase", **extra}}
    body = gql(client, START, variables, key=keys.secret)
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["field"].startswith(field), error
    assert says in error["message"]


@pytest.mark.usefixtures("started")
def test_each_arm_sees_its_version_and_keeps_it(client: TestClient, keys: Keys) -> None:
    control, treated = _device_in("control"), _device_in("weekend-copy")
    for device in (control, treated):
        _grant(client, keys, device, "PERSONALIZATION", "ANALYTICS")

    seen = _pack(client, keys, treated)
    assert seen["title"] == VARIANT_TITLE
    assert seen["personalization"] == {
        "baseline": False,
        "variantId": "weekend-copy",
        "reason": "experiment `pack-headline` put the viewer in arm `weekend-copy`",
        "experiment": {"key": "pack-headline", "arm": "weekend-copy"},
    }
    seen = _pack(client, keys, control)
    assert seen["title"] == BASELINE_TITLE
    assert seen["personalization"]["experiment"] == {"key": "pack-headline", "arm": "control"}
    assert seen["personalization"]["baseline"] is True

    for _ in range(3):  # sticky, and exposed once however often it is served
        assert _pack(client, keys, treated)["title"] == VARIANT_TITLE
    assert _users(_results(client, keys)) == {"control": 1, "weekend-copy": 1}


@pytest.mark.usefixtures("started")
def test_without_personalization_consent_nobody_is_enrolled(client: TestClient, keys: Keys) -> None:
    treated = _device_in("weekend-copy")
    _grant(client, keys, treated, "ANALYTICS")
    seen = _pack(client, keys, treated)
    assert seen["title"] == BASELINE_TITLE
    assert seen["personalization"]["experiment"] is None
    assert _users(_results(client, keys)) == {"control": 0, "weekend-copy": 0}


@pytest.mark.usefixtures("started")
def test_without_analytics_the_arm_shows_but_is_not_measured(
    client: TestClient, keys: Keys
) -> None:
    treated = _device_in("weekend-copy")
    _grant(client, keys, treated, "PERSONALIZATION")
    assert _pack(client, keys, treated)["title"] == VARIANT_TITLE
    assert _users(_results(client, keys)) == {"control": 0, "weekend-copy": 0}


def _purchase(client: TestClient, keys: Keys, device: str, at: datetime, n: int) -> None:
    event = {
        "id": f"{device}-buy-{n}",
        "type": "purchase",
        "timestamp": at.isoformat(),
        "properties": {"value": 40 + n, "currency": "EUR"},
    }
    body = data(gql(client, TRACK, {"e": [event]}, key=keys.public, anonymous_id=device))
    assert body["track"] == {"accepted": 1, "rejected": []}
    settle(client)


@pytest.mark.usefixtures("started")
def test_conversions_count_only_after_the_first_exposure(client: TestClient, keys: Keys) -> None:
    before = datetime.now(UTC) - timedelta(hours=1)
    buyers = [_device_in("weekend-copy", "b"), _device_in("control", "b")]
    early = _device_in("weekend-copy", "early")
    for device in [*buyers, early]:
        _grant(client, keys, device, "PERSONALIZATION", "ANALYTICS")
    _purchase(client, keys, early, before, 0)  # bought, then saw the arm: not a conversion
    for device in [*buyers, early]:
        _pack(client, keys, device)
    after = datetime.now(UTC) + timedelta(seconds=1)
    for n, device in enumerate(buyers):
        _purchase(client, keys, device, after, n)

    results = _results(client, keys)
    assert {a["arm"]: (a["users"], a["conversions"]) for a in results["arms"]} == {
        "control": (1, 1),
        "weekend-copy": (2, 1),
    }
    (comparison,) = results["comparisons"]
    assert comparison["arm"] == "weekend-copy"
    # CUPED, by hand: the early buyer's purchase before exposure is the covariate x. Within
    # weekend-copy, x = (0, 1) and y = (1, 0): theta = -1, and the adjusted means are
    # 0.5 + (0.5 - 1/3) for weekend-copy and 1 - (1/3) for control: both 2/3, no lift, and
    # within the arms x explains all of y's variance.
    assert results["varianceReduction"] == pytest.approx(1.0)
    assert comparison["lift"] == pytest.approx(0.0)
    assert results["sequential"] is True
    assert "keep it running" in results["decision"] or "not enough" in results["decision"]


@pytest.mark.usefixtures("started")
def test_a_device_arm_is_carried_over_to_the_user_it_logs_in_as(
    client: TestClient, keys: Keys
) -> None:
    device = _device_in("weekend-copy", "phone")
    user = next(f"u{n}" for n in range(1000) if _arm_of(profile_id(None, f"u{n}")) == "control")
    _grant(client, keys, device, "PERSONALIZATION", "ANALYTICS")
    assert _pack(client, keys, device)["title"] == VARIANT_TITLE

    token = {"X-Veneer-Viewer-Token": create_viewer_token(user, TEST_SECRET, anonymous_id=device)}
    _grant(client, keys, device, "PERSONALIZATION", "ANALYTICS", **token)
    logged_in = _pack(client, keys, device, **token)
    assert logged_in["personalization"]["experiment"]["arm"] == "weekend-copy"
    # ... and on the user's other devices, never re-randomized by the user id's hash
    laptop = {"X-Veneer-Viewer-Token": create_viewer_token(user, TEST_SECRET)}
    _grant(client, keys, "laptop", "PERSONALIZATION", "ANALYTICS", **laptop)
    assert _pack(client, keys, "laptop", **laptop)["title"] == VARIANT_TITLE
    assert _users(_results(client, keys)) == {"control": 0, "weekend-copy": 1}


@pytest.mark.usefixtures("started")
def test_stopping_shows_everyone_the_baseline_and_keeps_the_results(
    client: TestClient, keys: Keys
) -> None:
    treated = _device_in("weekend-copy")
    _grant(client, keys, treated, "PERSONALIZATION", "ANALYTICS")
    assert _pack(client, keys, treated)["title"] == VARIANT_TITLE

    stopped = data(gql(client, STOP, {"key": "pack-headline"}, key=keys.secret))
    assert stopped["stopExperiment"] == {"key": "pack-headline", "status": "stopped"}
    seen = _pack(client, keys, treated)
    assert seen["title"] == BASELINE_TITLE
    assert seen["personalization"]["experiment"] is None
    assert _users(_results(client, keys)) == {"control": 0, "weekend-copy": 1}

    body = gql(client, STOP, {"key": "nope"}, key=keys.secret)
    assert error_messages(body) == ["key: no experiment 'nope'"]


@pytest.mark.usefixtures("started")
def test_erasure_removes_the_viewers_exposures(client: TestClient, keys: Keys) -> None:
    treated = _device_in("weekend-copy")
    _grant(client, keys, treated, "PERSONALIZATION", "ANALYTICS")
    _pack(client, keys, treated)
    assert _users(_results(client, keys))["weekend-copy"] == 1

    assert data(gql(client, FORGET, key=keys.public, anonymous_id=treated))["forgetViewer"]
    assert _users(_results(client, keys))["weekend-copy"] == 0


@pytest.mark.usefixtures("started")
def test_a_broken_split_is_said_first(client: TestClient, keys: Keys) -> None:
    """600 viewers in control and 400 in the variant, against weights of a half each: a
    sample-ratio mismatch, whatever the lift says."""
    services = client.app.state.services  # type: ignore[attr-defined]

    async def skewed() -> None:
        async with services.db.session() as session:
            for n in range(1000):
                arm = "control" if n < 600 else "weekend-copy"
                await record_exposures(session, f"anon:s{n}", {"pack-headline": arm}, NOW)

    assert client.portal is not None
    client.portal.call(skewed)
    results = _results(client, keys)
    assert _users(results) == {"control": 600, "weekend-copy": 400}
    assert results["trustworthy"] is False
    assert results["decision"].startswith("do not trust these results")
