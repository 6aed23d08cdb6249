"""Ids for what belongs to one viewer, which say "same object" and nothing else.

A client's normalized cache (Apollo, urql, Relay) merges objects of the same type and id, so
a viewer's `Personalization` of an entry and their `ConsentState` for a purpose need ids that
stay the same from one request to the next. Responses end up in browser devtools, logs and
proxies, though, so such an id must not carry the viewer's id in the clear: it is an HMAC of
what the object belongs to under a key derived from the server's secret. Nobody without the
secret can tell whose it is, link two of them to one viewer, or make one up.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

_PURPOSE = b"veneer object ids v1"  # keeps these HMACs apart from tokens signed with the secret
_BYTES = 16  # 128 bits: collisions are out of the question, the id stays short


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hmac.digest(secret.encode(), _PURPOSE, hashlib.sha256)


def opaque_id(secret: str, kind: str, *parts: str | None) -> str:
    """A stable, unguessable id for the ``kind`` of object that ``parts`` name together.

    Each part is length-prefixed, so ``("a:b", "c")`` and ``("a", "b:c")`` never meet; None
    (no viewer, no locale) is distinct from any string.
    """
    message = b"".join(_framed(part) for part in (kind, *parts))
    digest = hmac.digest(_key(secret), message, hashlib.sha256)[:_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _framed(part: str | None) -> bytes:
    if part is None:
        return b"-"
    data = part.encode()
    return b"%d:" % len(data) + data
