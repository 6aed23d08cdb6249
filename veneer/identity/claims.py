"""What a verified viewer token says, whichever format it came in."""

from __future__ import annotations

from dataclasses import dataclass


class InvalidViewerToken(ValueError):
    """The token is malformed, forged, expired or not yet valid; the message says which."""


@dataclass(frozen=True)
class ViewerClaims:
    user_id: str
    expires_at: int
    anonymous_id: str | None = None  # the device the backend vouches belongs to the user
