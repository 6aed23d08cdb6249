"""Backoff, Retry-After and the circuit breaker, and the client that follows them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from veneer.content_adapters import ContentUnavailable
from veneer.content_adapters.http import ResilientClient
from veneer.content_adapters.resilience import Backoff, CircuitBreaker, parse_retry_after


def test_backoff_grows_is_capped_and_jittered() -> None:
    backoff = Backoff(base=0.5, cap=3.0)
    assert backoff.delay(0, None, rand=lambda: 1.0) == 0.5
    assert backoff.delay(2, None, rand=lambda: 1.0) == 2.0
    assert backoff.delay(9, None, rand=lambda: 1.0) == 3.0
    assert backoff.delay(9, None, rand=lambda: 0.25) == 0.75


def test_retry_after_wins_and_is_capped() -> None:
    backoff = Backoff(cap=5.0)
    assert backoff.delay(0, "2", rand=lambda: 1.0) == 2.0
    assert backoff.delay(0, "120", rand=lambda: 1.0) == 5.0


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(header, now=now.timestamp()) == pytest.approx(30)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_a_retry_after_of_other_digits_is_ignored_not_a_crash() -> None:
    """RFC 9110's delay-seconds are ASCII digits; "²" is a digit to str.isdigit only."""
    assert parse_retry_after("²") is None
    assert parse_retry_after("٣") is None


def test_the_breaker_opens_after_repeated_failures_and_tries_again_later() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=3, cooldown=10, clock=lambda: now[0])
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state == "open"
    now[0] = 9.9
    with pytest.raises(Exception, match="cools down"):
        breaker.before_call()
    now[0] = 10.0
    assert breaker.state == "half-open"
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state == "open", "a failed trial call opens it again"
    now[0] = 20.0
    breaker.record_success()
    assert breaker.state == "closed"


def _client(responses: list[httpx.Response], **kwargs: object) -> tuple[ResilientClient, list[int]]:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return responses[min(len(calls), len(responses)) - 1]

    client = ResilientClient(
        "http://cms.test/",
        backoff=Backoff(base=0.0, attempts=3),
        transport=httpx.MockTransport(handler),
        **kwargs,  # type: ignore[arg-type]
    )
    return client, calls


def test_busy_and_failing_cms_answers_are_retried() -> None:
    client, calls = _client(
        [
            httpx.Response(429, headers={"Retry-After": "0"}),
            httpx.Response(503),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    assert asyncio.run(client.get_json("pages/")) == {"ok": True}
    assert len(calls) == 3


def test_the_client_waits_as_long_as_the_cms_asks() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(503, headers={"Retry-After": "60"}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    client = ResilientClient(
        "http://cms.test/",
        backoff=Backoff(cap=5.0, attempts=3, sleep=sleep),
        transport=httpx.MockTransport(lambda request: next(answers)),
    )
    assert asyncio.run(client.get_json("pages/")) == {"ok": True}
    assert waits == [2.0, 5.0], "Retry-After, capped"


def test_no_wait_after_the_last_attempt() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = ResilientClient(
        "http://cms.test/",
        backoff=Backoff(attempts=2, sleep=sleep),
        transport=httpx.MockTransport(
            lambda request: httpx.Response(503, headers={"Retry-After": "1"})
        ),
    )
    with pytest.raises(ContentUnavailable, match="did not answer: HTTP 503"):
        asyncio.run(client.get_json("pages/"))
    assert waits == [1.0]


def test_a_client_error_is_not_retried_and_404_is_none() -> None:
    client, calls = _client([httpx.Response(400)])
    with pytest.raises(ContentUnavailable, match="HTTP 400"):
        asyncio.run(client.get_json("pages/"))
    assert len(calls) == 1
    missing, _ = _client([httpx.Response(404)])
    assert asyncio.run(missing.get_json("pages/1/")) is None


def test_the_circuit_opens_and_spares_a_down_cms() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=60)
    client, calls = _client([httpx.Response(500)], breaker=breaker)

    async def three_requests() -> list[str]:
        messages = []
        for _ in range(3):
            try:
                await client.get_json("pages/")
            except ContentUnavailable as exc:
                messages.append(str(exc))
        return messages

    messages = asyncio.run(three_requests())
    assert messages[0].startswith("the CMS did not answer: HTTP 500")
    assert "cools down" in messages[2]
    assert len(calls) == 6, "two requests of three attempts each; the third was refused"
