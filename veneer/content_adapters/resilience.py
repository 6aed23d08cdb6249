"""How an adapter treats a CMS that is slow, busy or down: backoff and a circuit breaker.

Tenacity runs the retries; this module says what is worth retrying (`Retryable`), how long
to wait (full jitter, unless the CMS says how long with Retry-After) and when to stop trying
at all (the breaker). The policies are plain objects, so they are tested without a network.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter, capped; a server's Retry-After wins."""

    base: float = 0.2
    cap: float = 5.0
    attempts: int = 3
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)

    def delay(
        self, attempt: int, retry_after: str | None, rand: Callable[[], float] = random.random
    ) -> float:
        told = parse_retry_after(retry_after)
        if told is not None:
            return min(told, self.cap)
        return float(rand() * min(self.cap, self.base * 2**attempt))

    def retrying(self) -> AsyncRetrying:
        """Tenacity's retry loop under this policy: `Retryable` failures, ``attempts`` tries.

        Any other exception ends it at once, and the last failure is raised as it was.
        """
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(Retryable),
            reraise=True,
            sleep=self.sleep,
        )

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        retry_after = failure.retry_after if isinstance(failure, Retryable) else None
        return self.delay(state.attempt_number - 1, retry_after)


class Retryable(Exception):
    """A failed attempt another may fix: the CMS was unreachable, busy (429) or failing (5xx)."""

    def __init__(self, message: str, retry_after: str | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # the CMS's Retry-After header, if it sent one


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit alone takes "²", which float refuses
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


class CircuitOpen(Exception):
    """The CMS failed repeatedly; calls are refused until the cool-down passes."""


class CircuitBreaker:
    """Closed -> open after ``threshold`` failures in a row; one trial call after ``cooldown``.

    While open, requests fail at once instead of piling onto a CMS that is down (and the
    content cache serves what it has).
    """

    def __init__(
        self,
        threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if self._clock() - self._opened_at >= self.cooldown else "open"

    def before_call(self) -> None:
        if self.state == "open":
            raise CircuitOpen("the CMS failed repeatedly; not calling it until it cools down")

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None

    def record_failure(self) -> None:
        self._failures += 1
        if self._failures >= self.threshold or self.state == "half-open":
            self._opened_at = self._clock()
