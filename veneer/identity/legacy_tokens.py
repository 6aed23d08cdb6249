"""Viewer tokens in the format Veneer used before it switched to JWTs.

Format: ``base64url(json payload) "." base64url(HMAC-SHA256(secret, payload part))``, with
payload ``{"sub": userId, "exp": unix seconds, "aid": anonymousId}`` (``aid`` optional).
Veneer no longer issues them, but site backends signed them by hand, so they are still
accepted until they expire; this module goes once that format is dropped. A token in this
format has exactly one dot and a JWT has two, and the HMAC covers different bytes in each,
so neither format's signature can stand in for the other's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from veneer.identity.claims import InvalidViewerToken, ViewerClaims


def is_legacy_token(token: str) -> bool:
    return token.count(".") == 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).digest())


def verify_legacy_token(token: str, secret: str, now: float | None = None) -> ViewerClaims:
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
