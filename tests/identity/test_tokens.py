"""Viewer tokens are standard HS256 JWTs.

Most tokens here are signed with plain PyJWT, the way a site backend signs them with its own
JWT library, so nothing depends on Veneer's helper agreeing with Veneer's verifier.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest

from veneer.identity.tokens import (
    CLOCK_SKEW,
    InvalidViewerToken,
    ViewerClaims,
    create_viewer_token,
    verify_viewer_token,
)

SECRET = "site-secret-0123456789-0123456789"


def _signed(claims: dict[str, Any], secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def _soon() -> int:
    return int(time.time()) + 3600


def _rejected(token: str, secret: str = SECRET) -> str:
    with pytest.raises(InvalidViewerToken) as info:
        verify_viewer_token(token, secret)
    return str(info.value)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_token_signed_by_a_backend_s_jwt_library_verifies() -> None:
    expires = _soon()
    token = _signed({"sub": "user-7", "exp": expires, "aid": "phone-7", "iat": int(time.time())})
    assert verify_viewer_token(token, SECRET) == ViewerClaims("user-7", expires, "phone-7")


def test_aid_is_optional() -> None:
    expires = _soon()
    assert verify_viewer_token(_signed({"sub": "user-7", "exp": expires}), SECRET) == (
        ViewerClaims("user-7", expires)
    )


def test_the_helper_issues_a_standard_hs256_jwt() -> None:
    token = create_viewer_token("user-42", SECRET, ttl=600, anonymous_id="phone-1")

    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["sub"] == "user-42" and claims["aid"] == "phone-1"
    assert claims["exp"] - claims["iat"] == 600
    assert abs(claims["iat"] - time.time()) < 60


def test_round_trip_with_the_default_ttl() -> None:
    claims = verify_viewer_token(create_viewer_token("user-42", SECRET), SECRET)
    assert claims == ViewerClaims("user-42", claims.expires_at)
    assert time.time() + 23 * 3600 < claims.expires_at <= time.time() + 24 * 3600


def test_round_trip_keeps_non_ascii_user_ids() -> None:
    token = create_viewer_token("zoë@example.com", SECRET)
    assert verify_viewer_token(token, SECRET).user_id == "zoë@example.com"


def test_token_is_url_safe() -> None:
    token = create_viewer_token("u" * 200, SECRET)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_an_empty_user_id_cannot_be_signed() -> None:
    with pytest.raises(ValueError, match="user_id"):
        create_viewer_token("", SECRET)


def test_wrong_secret() -> None:
    token = _signed({"sub": "user-42", "exp": _soon()}, secret="another-secret-0123456789-0123456")
    assert _rejected(token) == "viewer token signature is invalid"


def test_tampered_payload_fails_the_signature() -> None:
    header, _, signature = _signed({"sub": "user-42", "exp": _soon()}).split(".")
    other = _b64(json.dumps({"sub": "admin", "exp": _soon()}).encode())
    assert _rejected(f"{header}.{other}.{signature}") == "viewer token signature is invalid"


def test_alg_none_is_refused() -> None:
    unsigned = jwt.encode({"sub": "admin", "exp": _soon()}, None, algorithm="none")
    assert unsigned.endswith(".")
    assert _rejected(unsigned) == "viewer token must be signed with HS256, not 'none'"


def test_alg_none_with_a_genuine_signature_is_refused_too() -> None:
    """The algorithm comes from Veneer, never from the header it is asked to trust."""
    _, payload, signature = _signed({"sub": "user-42", "exp": _soon()}).split(".")
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    assert _rejected(f"{header}.{payload}.{signature}").startswith(
        "viewer token must be signed with HS256"
    )


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_other_algorithms_are_refused(algorithm: str) -> None:
    secret = SECRET * 2  # long enough for the bigger hashes
    token = _signed({"sub": "user-42", "exp": _soon()}, secret=secret, algorithm=algorithm)
    assert _rejected(token, secret) == f"viewer token must be signed with HS256, not '{algorithm}'"


@pytest.mark.parametrize("claim", ["sub", "exp"])
def test_sub_and_exp_are_required(claim: str) -> None:
    claims: dict[str, Any] = {"sub": "user-42", "exp": _soon(), "aid": "phone"}
    del claims[claim]
    assert _rejected(_signed(claims)) == f"viewer token lacks the '{claim}' claim"


@pytest.mark.parametrize("subject", ["", 42, ["user-42"]])
def test_sub_must_name_a_user(subject: object) -> None:
    token = _signed({"sub": subject, "exp": _soon()})
    assert _rejected(token) == "viewer token 'sub' must name the user (a non-empty string)"


@pytest.mark.parametrize("device", ["", 7, {"id": "phone"}])
def test_aid_must_be_an_anonymous_id(device: object) -> None:
    token = _signed({"sub": "user-42", "exp": _soon(), "aid": device})
    assert _rejected(token).startswith("viewer token 'aid' must be the device's anonymous id")


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("1900000000", "viewer token 'exp' must be a number of seconds"),
        ("tomorrow", "viewer token is malformed: Expiration Time claim (exp) must be an integer."),
        (None, "viewer token lacks the 'exp' claim"),
    ],
)
def test_exp_must_be_a_number(expires: object, message: str) -> None:
    assert _rejected(_signed({"sub": "user-42", "exp": expires})) == message


def test_expired() -> None:
    token = _signed({"sub": "user-42", "exp": int(time.time()) - CLOCK_SKEW - 60})
    assert _rejected(token) == "viewer token has expired"


def test_the_helper_s_token_with_a_past_expiry_is_expired() -> None:
    token = create_viewer_token("user-42", SECRET, ttl=-3600)
    assert _rejected(token) == "viewer token has expired"


def test_a_token_that_just_expired_passes_within_the_clock_skew() -> None:
    token = _signed({"sub": "user-42", "exp": int(time.time()) - CLOCK_SKEW // 3})
    assert verify_viewer_token(token, SECRET).user_id == "user-42"


def test_a_token_from_a_backend_whose_clock_runs_a_little_ahead_is_accepted() -> None:
    issued = int(time.time()) + CLOCK_SKEW // 3
    token = _signed({"sub": "user-42", "iat": issued, "nbf": issued, "exp": issued + 60})
    assert verify_viewer_token(token, SECRET).user_id == "user-42"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_not_valid_before_nbf_or_iat(claim: str) -> None:
    later = int(time.time()) + CLOCK_SKEW + 600
    token = _signed({"sub": "user-42", claim: later, "exp": later + 3600})
    assert _rejected(token) == "viewer token is not valid yet: its 'nbf' or 'iat' is in the future"


def test_an_audience_is_refused() -> None:
    token = _signed({"sub": "user-42", "exp": _soon(), "aud": "some-other-service"})
    assert _rejected(token) == "viewer token has an 'aud' claim; viewer tokens name no audience"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "é.é.é", "a.b.c.d", "..", "x" * 5000])
def test_malformed_strings(token: str) -> None:
    assert _rejected(token).startswith("viewer token is malformed")


def test_a_payload_that_is_not_an_object() -> None:
    token = jwt.api_jws.PyJWS().encode(b"[1, 2]", SECRET, algorithm="HS256")
    assert _rejected(token).startswith("viewer token is malformed")
