from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from veneer.identity.tokens import (
    InvalidViewerToken,
    ViewerClaims,
    create_viewer_token,
    verify_viewer_token,
)

SECRET = "site-secret-0123456789"
NOW = 1_780_000_000.0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hand_made(payload_json: str, secret: str = SECRET) -> str:
    """A token built from the documented format alone, as another language's backend would."""
    payload = _b64(payload_json.encode())
    signature = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def _rejected(token: str, *, secret: str = SECRET, now: float = NOW) -> str:
    with pytest.raises(InvalidViewerToken) as info:
        verify_viewer_token(token, secret, now=now)
    return str(info.value)


def test_round_trip() -> None:
    token = create_viewer_token("user-42", SECRET, ttl=3600, now=NOW)
    assert verify_viewer_token(token, SECRET, now=NOW) == ViewerClaims("user-42", int(NOW) + 3600)


def test_round_trip_with_the_real_clock_and_default_ttl() -> None:
    token = create_viewer_token("user-42", SECRET)
    claims = verify_viewer_token(token, SECRET)
    assert claims.user_id == "user-42"
    assert time.time() + 23 * 3600 < claims.expires_at <= time.time() + 24 * 3600


def test_round_trip_keeps_non_ascii_user_ids() -> None:
    token = create_viewer_token("zoë@example.com", SECRET, now=NOW)
    assert verify_viewer_token(token, SECRET, now=NOW).user_id == "zoë@example.com"


def test_token_is_url_safe() -> None:
    token = create_viewer_token("u" * 200, SECRET, now=NOW)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_a_token_made_from_the_documented_format_verifies() -> None:
    token = _hand_made(json.dumps({"sub": "user-7", "exp": int(NOW) + 60}))
    assert verify_viewer_token(token, SECRET, now=NOW) == ViewerClaims("user-7", int(NOW) + 60)


def test_expired_at_exactly_its_expiry() -> None:
    token = create_viewer_token("user-42", SECRET, ttl=60, now=NOW)
    assert verify_viewer_token(token, SECRET, now=NOW + 59).user_id == "user-42"
    assert _rejected(token, now=NOW + 60) == "viewer token has expired"
    assert _rejected(token, now=NOW + 10_000) == "viewer token has expired"


def test_zero_ttl_is_already_expired() -> None:
    token = create_viewer_token("user-42", SECRET, ttl=0, now=NOW)
    assert _rejected(token) == "viewer token has expired"


def test_forged_signature() -> None:
    token = create_viewer_token("user-42", SECRET, now=NOW)
    payload, signature = token.split(".")
    forged = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert _rejected(f"{payload}.{forged}") == "viewer token signature is invalid"
    assert _rejected(f"{payload}.{_b64(b'not a signature')}") == "viewer token signature is invalid"


def test_tampered_payload_fails_the_signature() -> None:
    token = create_viewer_token("user-42", SECRET, now=NOW)
    _, signature = token.split(".")
    other = _b64(json.dumps({"sub": "admin", "exp": int(NOW) + 3600}).encode())
    assert _rejected(f"{other}.{signature}") == "viewer token signature is invalid"
    longer = _b64(json.dumps({"sub": "user-42", "exp": int(NOW) + 10**9}).encode())
    assert _rejected(f"{longer}.{signature}") == "viewer token signature is invalid"


def test_wrong_secret() -> None:
    token = create_viewer_token("user-42", SECRET, now=NOW)
    assert _rejected(token, secret="another-secret") == "viewer token signature is invalid"


@pytest.mark.parametrize(
    "token", ["", "abc", ".", "abc.", ".abc", "no dots at all", "é.abc", "abc.é", "aé.b"]
)
def test_malformed_strings(token: str) -> None:
    assert _rejected(token) == "viewer token is malformed"


@pytest.mark.parametrize(
    "payload_json",
    [
        "not json",
        "[1, 2]",
        '"user-42"',
        json.dumps({"exp": int(NOW) + 60}),
        json.dumps({"sub": "user-42"}),
        json.dumps({"sub": "", "exp": int(NOW) + 60}),
        json.dumps({"sub": 42, "exp": int(NOW) + 60}),
        json.dumps({"sub": "user-42", "exp": str(int(NOW) + 60)}),
        json.dumps({"sub": "user-42", "exp": NOW + 60.5}),
    ],
)
def test_genuinely_signed_but_malformed_payload(payload_json: str) -> None:
    assert _rejected(_hand_made(payload_json)) == "viewer token payload is malformed"


def test_an_empty_user_id_cannot_be_signed() -> None:
    with pytest.raises(ValueError, match="user_id"):
        create_viewer_token("", SECRET)
