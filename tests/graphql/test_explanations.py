"""`viewer { explanations }`: a viewer asks why they see what they see, and can change it."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql

SEGMENT = """mutation { upsertSegment(key: "alpine", name: "Alpine",
  rule: {trait: "region", op: "eq", value: "alps"}) { key } }"""
CONSENT = """mutation($granted: Boolean!) { setConsent(purposes: [
  {purpose: PERSONALIZATION, granted: $granted}]) { purpose } }"""
IDENTIFY = 'mutation { identify(traits: {region: "alps"}) { id } }'
WHY = "{ viewer { explanations { kind key reason data purpose change } } }"


def _why(client: TestClient, keys: Keys, viewer: str) -> list[dict[str, object]]:
    body = gql(client, WHY, key=keys.public, anonymous_id=viewer)
    return list(data(body)["viewer"]["explanations"])


def test_a_viewer_sees_why_and_what_withdrawing_consent_changes(
    client: TestClient, keys: Keys
) -> None:
    data(gql(client, SEGMENT, key=keys.secret))
    data(gql(client, IDENTIFY, key=keys.public, anonymous_id="eva"))
    data(gql(client, CONSENT, {"granted": True}, key=keys.public, anonymous_id="eva"))
    (segment,) = _why(client, keys, "eva")
    assert segment["kind"] == "SEGMENT" and segment["key"] == "alpine"
    assert segment["data"] == ["your trait 'region'"]
    assert segment["purpose"] == "PERSONALIZATION"
    assert "withdraw PERSONALIZATION" in str(segment["change"])
    assert _why(client, keys, "someone-else")[0]["kind"] == "BASELINE", "each sees their own"

    data(gql(client, CONSENT, {"granted": False}, key=keys.public, anonymous_id="eva"))
    (baseline,) = _why(client, keys, "eva")
    assert baseline["kind"] == "BASELINE" and baseline["data"] == []
