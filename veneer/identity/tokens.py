"""Viewer tokens: a site backend's signed statement that "this browser is user X until T".

A viewer token is a standard JWT (RFC 7519) signed with HS256 and ``VENEER_SECRET``, so a
site backend in Node, PHP, Ruby or Go signs it with the JWT library it already uses. Claims:

- ``sub`` (required): the user id;
- ``exp`` (required): when the token stops being accepted, in seconds since the epoch;
- ``aid`` (optional): the browser's anonymous id, which the backend vouches is the user's
  device; only then does the device's anonymous history join the user's profile;
- ``iat`` and ``nbf`` (optional): honoured when present (not accepted before them).

Only HS256 is accepted: the algorithm is fixed here, never taken from the token's header, so
``alg: none`` or a public-key algorithm cannot slip past the signature check. Clocks on two
servers disagree a little, so times are checked with `CLOCK_SKEW` seconds of leeway.

Tokens in the earlier, Veneer-specific format (`veneer.identity.legacy_tokens`) are still
accepted until they expire.
"""

from __future__ import annotations

import time

import jwt
from jwt import exceptions as refused

from veneer.identity.claims import InvalidViewerToken, ViewerClaims
from veneer.identity.legacy_tokens import is_legacy_token, verify_legacy_token

__all__ = [
    "ALGORITHM",
    "CLOCK_SKEW",
    "DEFAULT_TTL",
    "InvalidViewerToken",
    "ViewerClaims",
    "create_viewer_token",
    "verify_viewer_token",
]

ALGORITHM = "HS256"
DEFAULT_TTL = 24 * 3600
CLOCK_SKEW = 30
_TIME_CLAIMS = ("exp", "nbf", "iat")


def create_viewer_token(
    user_id: str,
    secret: str,
    ttl: int = DEFAULT_TTL,
    now: float | None = None,
    anonymous_id: str | None = None,
) -> str:
    """Sign a JWT naming ``user_id``, valid for ``ttl`` seconds.

    Pass the browser's ``anonymous_id`` (the ``aid`` claim) to vouch that the device is the
    user's: only then does its anonymous history join the user's profile.
    """
    if not user_id:
        raise ValueError("user_id must not be empty")
    issued = int(time.time() if now is None else now)
    claims: dict[str, object] = {"sub": user_id, "iat": issued, "exp": issued + ttl}
    if anonymous_id is not None:
        claims["aid"] = anonymous_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_viewer_token(token: str, secret: str) -> ViewerClaims:
    """Return the claims of a genuine, current token, or raise `InvalidViewerToken`."""
    if is_legacy_token(token):
        return verify_legacy_token(token, secret)
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp"]},
            leeway=CLOCK_SKEW,
        )
    except refused.InvalidTokenError as exc:
        raise InvalidViewerToken(_reason(token, exc)) from exc
    for name in _TIME_CLAIMS:
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidViewerToken(f"viewer token '{name}' must be a number of seconds")
    user_id, device = claims["sub"], claims.get("aid")
    if not isinstance(user_id, str) or not user_id:
        raise InvalidViewerToken("viewer token 'sub' must name the user (a non-empty string)")
    if device is not None and (not isinstance(device, str) or not device):
        raise InvalidViewerToken(
            "viewer token 'aid' must be the device's anonymous id (a non-empty string)"
        )
    return ViewerClaims(user_id, int(claims["exp"]), device)


def _reason(token: str, error: refused.InvalidTokenError) -> str:
    """Why PyJWT refused the token, in words a backend developer can act on."""
    if isinstance(error, refused.ExpiredSignatureError):
        return "viewer token has expired"
    if isinstance(error, refused.ImmatureSignatureError):
        return "viewer token is not valid yet: its 'nbf' or 'iat' is in the future"
    if isinstance(error, refused.InvalidSignatureError):
        return "viewer token signature is invalid"
    if isinstance(error, refused.InvalidAlgorithmError):
        return f"viewer token must be signed with {ALGORITHM}, not {_algorithm_of(token)}"
    if isinstance(error, refused.MissingRequiredClaimError):
        return f"viewer token lacks the '{error.claim}' claim"
    if isinstance(error, refused.InvalidSubjectError):
        return "viewer token 'sub' must name the user (a non-empty string)"
    if isinstance(error, refused.InvalidAudienceError):
        return "viewer token has an 'aud' claim; viewer tokens name no audience"
    if isinstance(error, refused.InvalidIssuedAtError):
        return "viewer token 'iat' must be a number of seconds"
    return f"viewer token is malformed: {error}"


def _algorithm_of(token: str) -> str:
    """The header's ``alg``, for the message only (the header has been parsed by then)."""
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except refused.InvalidTokenError:
        return "an unknown algorithm"
    return repr(algorithm)[:40]
