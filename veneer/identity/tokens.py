"""Viewer tokens: a site backend's signed statement that "this browser is user X until T".

Format: ``base64url(json payload) "." base64url(HMAC-SHA256(secret, payload part))``, with
payload ``{"sub": userId, "exp": unix seconds, "aid": anonymousId}`` (``aid`` optional). It
is small enough to reimplement in any backend language; `create_viewer_token` is the Python
helper.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

DEFAULT_TTL = 24 * 3600


class InvalidViewerToken(ValueError):
    """The token is malformed, forged or expired; the message says which."""


@dataclass(frozen=True)
class ViewerClaims:
    user_id: str
    expires_at: int
    anonymous_id: str | None = None  # the device the backend vouches belongs to the user


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).digest())


def create_viewer_token(
    user_id: str,
    secret: str,
    ttl: int = DEFAULT_TTL,
    now: float | None = None,
    anonymous_id: str | None = None,
) -> str:
    """Sign a token naming ``user_id``, valid for ``ttl`` seconds.

    Pass the browser's ``anonymous_id`` (the ``aid`` claim) to vouch that the device is the
    user's: only then does its anonymous history join the user's profile.
    """
    if not user_id:
        raise ValueError("user_id must not be empty")
    expires = int((time.time() if now is None else now) + ttl)
    claims: dict[str, object] = {"sub": user_id, "exp": expires}
    if anonymous_id is not None:
        claims["aid"] = anonymous_id
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def verify_viewer_token(token: str, secret: str, now: float | None = None) -> ViewerClaims:
    """Return the claims of a genuine, unexpired token, or raise `InvalidViewerToken`."""
    payload, dot, signature = token.partition(".")
    if not dot or not payload or not signature or not token.isascii():
        raise InvalidViewerToken("viewer token is malformed")
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise InvalidViewerToken("viewer token signature is invalid")
    try:
        claims = json.loads(_unb64(payload))
        user_id, expires, device = claims["sub"], claims["exp"], claims.get("aid")
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidViewerToken("viewer token payload is malformed") from exc
    if not isinstance(user_id, str) or not user_id or not isinstance(expires, int):
        raise InvalidViewerToken("viewer token payload is malformed")
    if device is not None and not isinstance(device, str):
        raise InvalidViewerToken("viewer token payload is malformed")
    if expires <= (time.time() if now is None else now):
        raise InvalidViewerToken("viewer token has expired")
    return ViewerClaims(user_id, expires, device)
