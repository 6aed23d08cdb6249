"""Viewer tokens in the format before JWTs: still accepted until they expire.

Veneer no longer issues them, so every token here is built from the documented format alone,
the way a site backend built them by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from veneer.identity.legacy_tokens import verify_legacy_token
from veneer.identity.tokens import InvalidViewerToken, ViewerClaims, verify_viewer_token

SECRET = "site-secret-0123456789-0123456789"
NOW = 1_780_000_000.0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hand_made(payload_json: str, secret: str = SECRET) -> str:
    payload = _b64(payload_json.encode())
    signature = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def _token(user_id: str = "user-42", expires: float = NOW + 3600, **extra: object) -> str:
    return _hand_made(json.dumps({"sub": user_id, "exp": int(expires), **extra}))


def _rejected(token: str, *, secret: str = SECRET, now: float = NOW) -> str:
    with pytest.raises(InvalidViewerToken) as info:
        verify_legacy_token(token, secret, now=now)
    return str(info.value)


def test_a_token_made_from_the_documented_format_verifies() -> None:
    token = _token("user-7", NOW + 60, aid="phone-7")
    assert verify_legacy_token(token, SECRET, now=NOW) == ViewerClaims(
        "user-7", int(NOW) + 60, "phone-7"
    )


def test_an_unexpired_legacy_token_is_still_accepted_beside_jwts() -> None:
    token = _token("user-7", time.time() + 3600, aid="phone-7")
    claims = verify_viewer_token(token, SECRET)
    assert (claims.user_id, claims.anonymous_id) == ("user-7", "phone-7")


def test_an_expired_legacy_token_is_refused_beside_jwts() -> None:
    token = _token("user-7", time.time() - 1)
    with pytest.raises(InvalidViewerToken, match="viewer token has expired"):
        verify_viewer_token(token, SECRET)


def test_non_ascii_user_ids() -> None:
    token = _hand_made(json.dumps({"sub": "zoë@example.com", "exp": int(NOW) + 60}))
    assert verify_legacy_token(token, SECRET, now=NOW).user_id == "zoë@example.com"


def test_expired_at_exactly_its_expiry() -> None:
    token = _token(expires=NOW + 60)
    assert verify_legacy_token(token, SECRET, now=NOW + 59).user_id == "user-42"
    assert _rejected(token, now=NOW + 60) == "viewer token has expired"
    assert _rejected(token, now=NOW + 10_000) == "viewer token has expired"


def test_forged_signature() -> None:
    payload, signature = _token().split(".")
    forged = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert _rejected(f"{payload}.{forged}") == "viewer token signature is invalid"
    assert _rejected(f"{payload}.{_b64(b'not a signature')}") == "viewer token signature is invalid"


def test_tampered_payload_fails_the_signature() -> None:
    _, signature = _token().split(".")
    other = _b64(json.dumps({"sub": "admin", "exp": int(NOW) + 3600}).encode())
    assert _rejected(f"{other}.{signature}") == "viewer token signature is invalid"
    longer = _b64(json.dumps({"sub": "user-42", "exp": int(NOW) + 10**9}).encode())
    assert _rejected(f"{longer}.{signature}") == "viewer token signature is invalid"


def test_wrong_secret() -> None:
    assert _rejected(_token(), secret="another-secret") == "viewer token signature is invalid"


@pytest.mark.parametrize("token", [".", "abc.", ".abc", "é.abc", "abc.é", "aé.b"])
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
        json.dumps({"sub": "user-42", "exp": int(NOW) + 60, "aid": 7}),
    ],
)
def test_genuinely_signed_but_malformed_payload(payload_json: str) -> None:
    assert _rejected(_hand_made(payload_json)) == "viewer token payload is malformed"
