"""Who is asking: the key a request carries and the viewer it acts for.

The HTTP edge works this out once per request (``veneer.web.auth``); every endpoint and the
GraphQL context read it from there, so it belongs with the other identity concepts rather than
with either of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from veneer.identity.keys import ApiKey
from veneer.identity.viewer import Viewer


@dataclass(frozen=True)
class Principal:
    """Who is asking: the key, the viewer it acts for, and the viewer's GPC signal."""

    key: ApiKey
    viewer: Viewer | None
    gpc: bool
