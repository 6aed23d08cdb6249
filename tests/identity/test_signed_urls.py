"""Signed email block URLs: only the user, placement and expiry they were signed for."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from veneer.identity.signed_urls import SignatureError, block_url, campaign_key, verify_block

SECRET = "a-long-random-secret-for-signing-block-urls"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_a_signed_url_names_its_user_until_it_expires() -> None:
    url = block_url("https://veneer.example/", SECRET, "hero", "u-42", NOW + timedelta(days=30))
    assert url.startswith("https://veneer.example/v1/blocks/hero.html?user=u-42&expires=")
    query = _query(url)
    assert verify_block(SECRET, "hero", query, NOW) == "u-42"
    assert verify_block(SECRET, "hero", query, NOW + timedelta(days=29)) == "u-42"
    with pytest.raises(SignatureError):
        verify_block(SECRET, "hero", query, NOW + timedelta(days=30))


@pytest.mark.parametrize(
    "change",
    [
        {"user": "u-43"},
        {"expires": "4102444800"},
        {"sig": "0" * 64},
        {"sig": "é" * 64},
        {"sig": ""},
        {"expires": "soon"},
        {"user": "x" * 201},
    ],
)
def test_a_changed_url_is_refused(change: dict[str, str]) -> None:
    query = _query(block_url("https://v.example", SECRET, "hero", "u-42", NOW + timedelta(1)))
    with pytest.raises(SignatureError):
        verify_block(SECRET, "hero", {**query, **change}, NOW)
    with pytest.raises(SignatureError):
        verify_block(SECRET, "recommended", query, NOW)  # another placement
    with pytest.raises(SignatureError):
        verify_block("another-secret", "hero", query, NOW)


def test_an_email_tool_signs_with_a_campaign_key_as_its_template_language_would() -> None:
    key = campaign_key(SECRET, "december-news")
    expires = int((NOW + timedelta(days=7)).timestamp())
    # What the tool's hmac_sha256 filter computes, from the documented message.
    sig = hmac.new(key.encode(), f"hero:u-42:{expires}".encode(), hashlib.sha256).hexdigest()
    query = {"user": "u-42", "expires": str(expires), "sig": sig, "campaign": "december-news"}
    assert verify_block(SECRET, "hero", query, NOW) == "u-42"
    with pytest.raises(SignatureError):
        verify_block(SECRET, "hero", {**query, "campaign": "other"}, NOW)
    with pytest.raises(SignatureError):
        verify_block(SECRET, "hero", {k: v for k, v in query.items() if k != "campaign"}, NOW)
    assert key != campaign_key(SECRET, "other") and SECRET not in key
