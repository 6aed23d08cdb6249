"""API keys: public keys act for one viewer, secret keys for the site's backend.

Keys are stored as SHA-256 hashes only; the plain key is shown once, when it is created. A key
is high-entropy random data, so a fast hash is enough (no password-style stretching needed).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass


class KeyKind(enum.Enum):
    PUBLIC = "public"
    SECRET = "secret"


PREFIX = {KeyKind.PUBLIC: "pk_", KeyKind.SECRET: "sk_"}
DEMO_KEYS = {"pk_demo": KeyKind.PUBLIC, "sk_demo": KeyKind.SECRET}


@dataclass(frozen=True)
class ApiKey:
    id: str
    kind: KeyKind
    name: str
    # The web origins whose pages may use the key (see `veneer.identity.origins`).
    origins: tuple[str, ...] = ()


def generate_key(kind: KeyKind) -> str:
    return PREFIX[kind] + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
