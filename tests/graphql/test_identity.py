"""Logging in joins a device's anonymous history to the user's profile."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET, Keys
from tests.helpers import data, gql, settle
from veneer.identity.tokens import create_viewer_token
from veneer.settings import Settings

GRANT = """mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"""
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"
VIEWER = "{ viewer { id traits activity consent { purpose granted } } }"


@pytest.fixture
def settings(both_caches: Settings) -> Settings:
    """These tests run with the in-process cache and with Redis."""
    return both_caches


def _as_user(user: str, device: str | None = None) -> dict[str, str]:
    """A viewer token for ``user``; naming ``device`` vouches the device is theirs."""
    return {"X-Veneer-Viewer-Token": create_viewer_token(user, TEST_SECRET, anonymous_id=device)}


def _send(client: TestClient, key: str, device: str, events: list[dict[str, Any]], **h: str) -> Any:
    response = client.post(
        "/v1/events",
        json=events,
        headers={"Authorization": f"Bearer {key}", "X-Veneer-Anonymous-Id": device, **h},
    )
    assert response.status_code == 202
    settle(client)
    return response.json()


def _consent(viewer: dict[str, Any]) -> dict[str, bool]:
    return {c["purpose"]: c["granted"] for c in viewer["consent"]}


def test_login_merges_the_device_history_into_the_user(client: TestClient, keys: Keys) -> None:
    grant = {"p": [{"purpose": "ANALYTICS", "granted": True}]}
    data(gql(client, GRANT, grant, key=keys.public, anonymous_id="phone"))
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"region": "alps", "plan": "free"}},
            key=keys.public,
            anonymous_id="phone",
        )
    )
    _send(client, keys.public, "phone", [{"id": "p1", "type": "entry_view", "entryId": "tent-x2"}])
    data(
        gql(
            client, IDENTIFY, {"t": {"plan": "pro"}}, key=keys.secret, **{"X-Veneer-User-Id": "ana"}
        )
    )

    me = data(
        gql(client, VIEWER, key=keys.public, anonymous_id="phone", **_as_user("ana", "phone"))
    )["viewer"]

    assert me["id"] == "user:ana"
    assert me["traits"] == {"region": "alps", "plan": "pro"}, "the user's own traits win"
    assert me["activity"]["counts"] == {"entry_view": 1}
    assert _consent(me)["ANALYTICS"] is True, "the device's consent came along"
    device_alone = data(gql(client, VIEWER, key=keys.public, anonymous_id="phone"))["viewer"]
    assert device_alone["traits"] == {} and device_alone["activity"] == {}


def test_later_device_events_land_on_the_user(client: TestClient, keys: Keys) -> None:
    grant = {"p": [{"purpose": "ANALYTICS", "granted": True}]}
    data(
        gql(
            client,
            GRANT,
            grant,
            key=keys.public,
            anonymous_id="laptop",
            **_as_user("ben", "laptop"),
        )
    )
    data(gql(client, GRANT, grant, key=keys.public, anonymous_id="laptop"))  # its own banner

    result = _send(client, keys.public, "laptop", [{"id": "l1", "type": "click"}])

    assert result["accepted"] == 1
    ben = data(gql(client, VIEWER, key=keys.secret, **{"X-Veneer-User-Id": "ben"}))["viewer"]
    assert ben["activity"]["counts"] == {"click": 1}


def test_the_most_recent_consent_wins_across_device_and_user(
    client: TestClient, keys: Keys
) -> None:
    deny = {"p": [{"purpose": "PERSONALIZATION", "granted": False}]}
    allow = {"p": [{"purpose": "PERSONALIZATION", "granted": True}]}
    data(gql(client, GRANT, deny, key=keys.secret, **{"X-Veneer-User-Id": "cy"}))
    data(gql(client, GRANT, allow, key=keys.public, anonymous_id="tablet"))

    me = data(
        gql(client, VIEWER, key=keys.public, anonymous_id="tablet", **_as_user("cy", "tablet"))
    )

    assert _consent(me["viewer"])["PERSONALIZATION"] is True


def test_an_event_still_in_the_stream_at_login_lands_on_the_user(
    client: TestClient, keys: Keys
) -> None:
    grant = {"p": [{"purpose": "ANALYTICS", "granted": True}]}
    data(gql(client, GRANT, grant, key=keys.public, anonymous_id="kiosk"))
    response = client.post(
        "/v1/events",
        json=[{"id": "k1", "type": "click"}],
        headers={"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": "kiosk"},
    )
    assert response.json()["accepted"] == 1

    data(gql(client, VIEWER, key=keys.public, anonymous_id="kiosk", **_as_user("dee", "kiosk")))
    settle(client)

    dee = data(gql(client, VIEWER, key=keys.secret, **{"X-Veneer-User-Id": "dee"}))["viewer"]
    assert dee["activity"]["counts"] == {"click": 1}


def test_a_token_that_does_not_vouch_for_the_device_merges_nothing(
    client: TestClient, keys: Keys
) -> None:
    grant = {"p": [{"purpose": "ANALYTICS", "granted": True}]}
    data(gql(client, GRANT, grant, key=keys.public, anonymous_id="victim-device"))
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"secret_hobby": "x"}},
            key=keys.public,
            anonymous_id="victim-device",
        )
    )
    _send(client, keys.public, "victim-device", [{"id": "vd-1", "type": "click"}])

    mallory = _as_user("mallory", "mallorys-phone")
    seen = data(gql(client, VIEWER, key=keys.public, anonymous_id="victim-device", **mallory))

    assert seen["viewer"]["traits"] == {} and seen["viewer"]["activity"] == {}
    victim = data(gql(client, VIEWER, key=keys.public, anonymous_id="victim-device"))["viewer"]
    assert victim["traits"] == {"secret_hobby": "x"}
    assert victim["activity"]["counts"] == {"click": 1}


def test_after_logout_the_device_s_own_consent_governs_its_events(
    client: TestClient, keys: Keys
) -> None:
    grant = {"p": [{"purpose": "ANALYTICS", "granted": True}]}
    data(
        gql(
            client,
            GRANT,
            grant,
            key=keys.public,
            anonymous_id="shared-pc",
            **_as_user("eli", "shared-pc"),
        )
    )

    logged_out = _send(client, keys.public, "shared-pc", [{"id": "lo-1", "type": "click"}])
    banner = data(gql(client, VIEWER, key=keys.public, anonymous_id="shared-pc"))["viewer"]

    assert logged_out["accepted"] == 1
    assert {c["purpose"]: c["granted"] for c in banner["consent"]}["ANALYTICS"] is False
    eli = data(gql(client, VIEWER, key=keys.secret, **{"X-Veneer-User-Id": "eli"}))["viewer"]
    assert eli["activity"] == {}, "the logged-out device had not consented; nothing was kept"

    data(gql(client, GRANT, grant, key=keys.public, anonymous_id="shared-pc"))
    _send(client, keys.public, "shared-pc", [{"id": "lo-2", "type": "click"}])
    eli = data(gql(client, VIEWER, key=keys.secret, **{"X-Veneer-User-Id": "eli"}))["viewer"]
    assert eli["activity"]["counts"] == {"click": 1}, "with the device's consent it lands on eli"


PERSONALIZATION = {"p": [{"purpose": "PERSONALIZATION", "granted": True}]}
ENTRY_REASON = '{ entry(id: "tent-x2") { personalization { reason } } }'


def test_after_login_the_device_keeps_its_own_banner_consent(
    client: TestClient, keys: Keys
) -> None:
    data(gql(client, GRANT, PERSONALIZATION, key=keys.public, anonymous_id="van"))

    me = data(gql(client, VIEWER, key=keys.public, anonymous_id="van", **_as_user("gil", "van")))

    assert me["viewer"]["id"] == "user:gil"
    assert _consent(me["viewer"])["PERSONALIZATION"] is True, "the user has it too"
    device = data(gql(client, VIEWER, key=keys.public, anonymous_id="van"))["viewer"]
    assert _consent(device)["PERSONALIZATION"] is True, "the device still has it"
    entry = data(gql(client, ENTRY_REASON, key=keys.public, anonymous_id="van"))["entry"]
    assert not entry["personalization"]["reason"].startswith("no PERSONALIZATION consent")


def test_a_later_change_by_the_user_leaves_the_device_s_record(
    client: TestClient, keys: Keys
) -> None:
    data(gql(client, GRANT, PERSONALIZATION, key=keys.public, anonymous_id="den"))
    as_hal = _as_user("hal", "den")
    data(gql(client, VIEWER, key=keys.public, anonymous_id="den", **as_hal))  # the login merge

    deny = {"p": [{"purpose": "PERSONALIZATION", "granted": False}]}
    data(gql(client, GRANT, deny, key=keys.public, anonymous_id="den", **as_hal))

    hal = data(gql(client, VIEWER, key=keys.public, anonymous_id="den", **as_hal))["viewer"]
    assert _consent(hal)["PERSONALIZATION"] is False
    device = data(gql(client, VIEWER, key=keys.public, anonymous_id="den"))["viewer"]
    assert _consent(device)["PERSONALIZATION"] is True, "the device's banner decided otherwise"


def test_the_user_s_newer_decision_is_not_overwritten_by_an_older_device_one(
    client: TestClient, keys: Keys
) -> None:
    data(gql(client, GRANT, PERSONALIZATION, key=keys.public, anonymous_id="pad"))
    deny = {"p": [{"purpose": "PERSONALIZATION", "granted": False}]}
    data(gql(client, GRANT, deny, key=keys.secret, **{"X-Veneer-User-Id": "ivy"}))

    ivy = data(gql(client, VIEWER, key=keys.public, anonymous_id="pad", **_as_user("ivy", "pad")))

    assert _consent(ivy["viewer"])["PERSONALIZATION"] is False
    device = data(gql(client, VIEWER, key=keys.public, anonymous_id="pad"))["viewer"]
    assert _consent(device)["PERSONALIZATION"] is True


def test_device_events_after_login_still_follow_the_device_s_banner(
    client: TestClient, keys: Keys
) -> None:
    grant = {"p": [{"purpose": "ANALYTICS", "granted": True}]}
    data(gql(client, GRANT, grant, key=keys.public, anonymous_id="box"))
    data(gql(client, VIEWER, key=keys.public, anonymous_id="box", **_as_user("jo", "box")))

    result = _send(client, keys.public, "box", [{"id": "bx-1", "type": "click"}])

    assert result["accepted"] == 1
    jo = data(gql(client, VIEWER, key=keys.secret, **{"X-Veneer-User-Id": "jo"}))["viewer"]
    assert jo["activity"]["counts"] == {"click": 1}, "kept, on the user's profile"


def _signed_by_the_site(user: str, device: str, token_format: str) -> str:
    """A token as the site's backend signs it, without Veneer's helper."""
    claims = {"sub": user, "aid": device, "exp": int(time.time()) + 3600}
    if token_format == "jwt":
        return jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    mac = hmac.new(TEST_SECRET.encode(), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.mark.parametrize("token_format", ["jwt", "legacy"])
def test_a_token_the_site_signed_logs_in_and_merges_the_device(
    client: TestClient, keys: Keys, token_format: str
) -> None:
    grant = {"p": [{"purpose": "ANALYTICS", "granted": True}]}
    data(gql(client, GRANT, grant, key=keys.public, anonymous_id="tv"))
    _send(client, keys.public, "tv", [{"id": f"tv-{token_format}", "type": "click"}])
    token = _signed_by_the_site("kim", "tv", token_format)

    me = data(
        gql(client, VIEWER, key=keys.public, anonymous_id="tv", **{"X-Veneer-Viewer-Token": token})
    )["viewer"]

    assert me["id"] == "user:kim"
    assert me["activity"]["counts"] == {"click": 1}
