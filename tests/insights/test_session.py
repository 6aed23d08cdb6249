"""Insights sessions: only Veneer's own, unaltered, unexpired cookies are sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from veneer.insights.session import LIFETIME, issue, read, same_token

SECRET = "s" * 48
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_a_session_names_its_key_and_carries_a_fresh_csrf_token() -> None:
    first = read(issue("7", "ops", SECRET, NOW), SECRET, NOW)
    second = read(issue("7", "ops", SECRET, NOW), SECRET, NOW)
    assert first is not None and second is not None
    assert (first.key_id, first.key_name, first.actor) == ("7", "ops", "insights:key:7 (ops)")
    assert first.csrf != second.csrf


def test_expired_altered_and_foreign_tokens_are_not_sessions() -> None:
    token = issue("7", "ops", SECRET, NOW)
    assert read(token, SECRET, NOW + LIFETIME - timedelta(seconds=1)) is not None
    assert read(token, SECRET, NOW + LIFETIME) is None
    assert read(token, "another secret" * 4, NOW) is None
    assert read(token[:-2] + "xx", SECRET, NOW) is None
    # Signed with the deployment secret itself (as viewer tokens are), not the derived key.
    claims = {"sub": "7", "csrf": "x", "exp": int((NOW + LIFETIME).timestamp())}
    assert read(jwt.encode({**claims, "aud": "veneer-insights"}, SECRET), SECRET, NOW) is None


def test_csrf_tokens_must_match_exactly() -> None:
    assert same_token("abc", "abc")
    assert not same_token("abc", "abd")
    assert not same_token("abc", None)
    assert not same_token("abc", "")
