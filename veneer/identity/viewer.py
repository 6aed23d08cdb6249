"""Which viewer a request acts for, from its key kind and its headers.

A public key acts only for the viewer its own headers name (anonymous id, and the user in a
signed viewer token, see `veneer.identity.tokens`); naming a user directly with
``X-Veneer-User-Id`` is a secret-key power.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from veneer.identity.keys import KeyKind
from veneer.identity.tokens import InvalidViewerToken, verify_viewer_token

ANONYMOUS_ID = "x-veneer-anonymous-id"
VIEWER_TOKEN = "x-veneer-viewer-token"
USER_ID = "x-veneer-user-id"
ID_PATTERN = re.compile(r"[A-Za-z0-9._:@+\-]{1,128}")


USER_PREFIX = "user:"
DEVICE_PREFIX = "anon:"


def profile_id(anonymous_id: str | None, user_id: str | None) -> str:
    """The profile a person's data lives under: the user once known, else the device."""
    if user_id is not None:
        return USER_PREFIX + user_id
    return DEVICE_PREFIX + str(anonymous_id)


def device_of(profile: str) -> str | None:
    """The anonymous id behind a device profile id, or None for a user's."""
    return profile.removeprefix(DEVICE_PREFIX) if profile.startswith(DEVICE_PREFIX) else None


class ViewerError(Exception):
    """The request names its viewer in a way Veneer refuses; ``status`` is 400, 401 or 403."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Viewer:
    anonymous_id: str | None = None
    user_id: str | None = None
    device_is_users: bool = field(default=False, compare=False)
    """Someone trusted vouched that the device is the user's: a secret key, or the viewer
    token's ``aid`` claim. Only then may the device's history join the user's profile."""

    @property
    def id(self) -> str:
        """The profile this viewer's data lives under: the user once known, else the device."""
        return profile_id(self.anonymous_id, self.user_id)


def viewer_of(profile: str) -> Viewer | None:
    """The viewer a profile id stands for (a user, or a device); None for neither."""
    if profile.startswith(USER_PREFIX):
        return Viewer(user_id=profile.removeprefix(USER_PREFIX))
    if profile.startswith(DEVICE_PREFIX):
        return Viewer(anonymous_id=profile.removeprefix(DEVICE_PREFIX))
    return None


def _checked_id(header: str, value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise ViewerError(400, f"{header}: must be 1-128 characters of letters, digits and ._:@+-")
    return value


def resolve_viewer(kind: KeyKind, headers: Mapping[str, str], secret: str) -> Viewer | None:
    """The viewer the request names, or None when it names nobody (baselines only)."""
    anonymous_id = headers.get(ANONYMOUS_ID)
    token = headers.get(VIEWER_TOKEN)
    named_user = headers.get(USER_ID)
    if named_user is not None and kind is not KeyKind.SECRET:
        raise ViewerError(
            403,
            "X-Veneer-User-Id: only secret keys may name a user; a public key names its "
            "logged-in viewer with X-Veneer-Viewer-Token",
        )
    user_id = None
    vouched_device = None
    if token is not None:
        try:
            claims = verify_viewer_token(token, secret)
        except InvalidViewerToken as exc:
            raise ViewerError(401, f"X-Veneer-Viewer-Token: {exc}") from exc
        user_id = _checked_id("X-Veneer-Viewer-Token: sub", claims.user_id)
        vouched_device = claims.anonymous_id
    if named_user is not None:
        user_id = _checked_id("X-Veneer-User-Id", named_user)
    if anonymous_id is not None:
        anonymous_id = _checked_id("X-Veneer-Anonymous-Id", anonymous_id)
    if anonymous_id is None and user_id is None:
        return None
    device_is_users = (
        user_id is not None
        and anonymous_id is not None
        and (kind is KeyKind.SECRET or vouched_device == anonymous_id)
    )
    return Viewer(anonymous_id=anonymous_id, user_id=user_id, device_is_users=device_is_users)
