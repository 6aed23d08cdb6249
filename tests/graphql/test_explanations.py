"""`viewer { explanations }`: a viewer asks why they see what they see, and can change it."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from tests.triggers.shop import CART_REMINDER, Clock, grant, offers, quiet, running, send, upsert
from veneer.services import Services
from veneer.settings import Settings

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


def test_an_offer_the_viewer_was_made_is_explained_with_its_reason(
    settings: Settings, keys: Keys
) -> None:
    clock = Clock()
    for client in running(Services(quiet(settings), clock=clock)):
        data(upsert(client, keys, CART_REMINDER))
        grant(client, keys, "ann")
        abandoned = [{"id": f"c{n}", "type": "cart_abandoned"} for n in range(2)]
        send(client, keys, "ann", abandoned, clock.now)
        grant(client, keys, "bo")  # allowed it too, and did nothing
        assert not [e for e in _why(client, keys, "bo") if e["kind"] == "OFFER"]
        (made,) = offers(client, keys, "ann", "cart")

        (offer,) = [e for e in _why(client, keys, "ann") if e["kind"] == "OFFER"]
        assert offer["key"] == "cart-reminder"
        assert made["reason"] in str(offer["reason"])
        assert offer["data"] == ["your 'cart_abandoned' events"]
        assert offer["purpose"] == "PERSONALIZATION"
        clock.advance(days=8)  # a week on, the offer is no longer what they see
        assert not [e for e in _why(client, keys, "ann") if e["kind"] == "OFFER"]
