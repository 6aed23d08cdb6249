"""Insights sign-in sessions: a signed cookie holding which key signed in, and a CSRF token.

The cookie is a JWT (PyJWT, HS256) so it needs no server-side table: any app process can read
it, and a failed process leaves no session state behind. It names the key rather than holding
it, and the edge checks on every request that the key is still active, so revoking the key
signs its sessions out. Its own signing key is derived from the deployment secret for this use
alone, and its audience is checked, so no other token Veneer signs (a viewer token, say) can
pass for a session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

COOKIE = "veneer_insights"
SIGN_IN_COOKIE = "veneer_insights_sign_in"  # the sign-in form's own CSRF token
DONE_COOKIE = "veneer_insights_done"  # what the last change did, said once
AUDIENCE = "veneer-insights"
LIFETIME = timedelta(hours=8)  # a working day; sign in again after it


@dataclass(frozen=True)
class Session:
    key_id: str
    key_name: str
    csrf: str  # every form on the pages carries it; a forged one cannot know it
    expires: datetime

    @property
    def actor(self) -> str:
        """Who acts, as the audit log names them."""
        return f"insights:key:{self.key_id}" + (f" ({self.key_name})" if self.key_name else "")


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"veneer insights session", hashlib.sha256).digest()


def issue(key_id: str, key_name: str, secret: str, now: datetime) -> str:
    """A fresh session for the key, with a fresh CSRF token."""
    claims = {
        "sub": key_id,
        "name": key_name,
        "csrf": secrets.token_urlsafe(24),
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + LIFETIME).timestamp()),
    }
    return jwt.encode(claims, _key(secret), algorithm="HS256")


def read(token: str, secret: str, now: datetime) -> Session | None:
    """The session the cookie holds, or None when it is forged, altered or expired."""
    try:
        claims = jwt.decode(
            token,
            _key(secret),
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["sub", "exp", "csrf"], "verify_exp": False},
        )
    except jwt.PyJWTError:
        return None
    expires = datetime.fromtimestamp(int(claims["exp"]), now.tzinfo)
    if now >= expires:  # the services' clock, not the wall clock, so tests can move it
        return None
    return Session(str(claims["sub"]), str(claims.get("name", "")), str(claims["csrf"]), expires)


def same_token(expected: str, given: str | None) -> bool:
    """A CSRF check that takes as long for a near miss as for a wild one."""
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def new_token() -> str:
    return secrets.token_urlsafe(24)
