"""Signed, expiring URLs for email blocks: an email tool fetches a person's block without a key.

The signature is HMAC-SHA256 over ``placement:user:expires`` (the placement key holds no
``:`` and ``expires`` is digits, so the message reads one way only). It is keyed with
``VENEER_SECRET`` for URLs Veneer prints per person, or with a per-campaign key derived from
it, which an email tool holding only that key can use to sign each recipient's URL itself
(its template language's ``hmac_sha256``). Either way, changing the user, the placement or
the expiry breaks the signature.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlencode

MAX_USER_ID = 200


class SignatureError(ValueError):
    """The URL was not signed by this deployment, or no longer works. Says nothing more."""


def campaign_key(secret: str, campaign: str) -> str:
    """The key one campaign signs with: revealing it reveals neither the secret nor others'."""
    return hmac.new(secret.encode(), f"campaign:{campaign}".encode(), hashlib.sha256).hexdigest()


def block_signature(
    secret: str, placement: str, user_id: str, expires: int, campaign: str | None = None
) -> str:
    key = secret if campaign is None else campaign_key(secret, campaign)
    message = f"{placement}:{user_id}:{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def block_url(
    base_url: str,
    secret: str,
    placement: str,
    user_id: str,
    expires_at: datetime,
    text: bool = False,
) -> str:
    """The URL of ``user_id``'s block in ``placement``, working until ``expires_at``."""
    expires = int(expires_at.timestamp())
    query = {
        "user": user_id,
        "expires": str(expires),
        "sig": block_signature(secret, placement, user_id, expires),
    }
    suffix = "txt" if text else "html"
    return f"{base_url.rstrip('/')}/v1/blocks/{placement}.{suffix}?{urlencode(query)}"


def verify_block(secret: str, placement: str, query: Mapping[str, str], now: datetime) -> str:
    """The user a signed block URL is for; `SignatureError` if it is not valid now."""
    user_id, expires_text, signature = (query.get(n, "") for n in ("user", "expires", "sig"))
    campaign = query.get("campaign") or None
    if not user_id or len(user_id) > MAX_USER_ID or not expires_text.isdigit() or not signature:
        raise SignatureError()
    expected = block_signature(secret, placement, user_id, int(expires_text), campaign)
    if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
        raise SignatureError()
    if int(expires_text) <= now.timestamp():
        raise SignatureError()
    return user_id
