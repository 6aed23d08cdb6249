"""`ResilientClient`: the one pooled HTTP client an adapter talks to its CMS through.

Timeouts on every call, retries with jittered backoff on 429 and 5xx (honouring Retry-After),
a circuit breaker, and a cap on concurrent requests, so a struggling CMS slows Veneer down
gracefully instead of taking it down.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from veneer.content_adapters.base import ContentUnavailable
from veneer.content_adapters.resilience import (
    RETRY_STATUSES,
    Backoff,
    CircuitBreaker,
    CircuitOpen,
    Retryable,
)


class ResilientClient:
    def __init__(
        self,
        base_url: str,
        *,
        headers: dict[str, str] | None = None,
        timeout: float = 5.0,
        backoff: Backoff | None = None,
        breaker: CircuitBreaker | None = None,
        max_concurrency: int = 16,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers=headers,
            timeout=timeout,
            limits=httpx.Limits(max_connections=max_concurrency),
            transport=transport,
        )
        self.backoff = backoff or Backoff()
        self.breaker = breaker or CircuitBreaker()
        self._slots = asyncio.Semaphore(max_concurrency)

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET and decode JSON; a 404 returns None; other failures raise `ContentUnavailable`."""
        response = await self.get(path, params)
        return None if response is None else response.json()

    async def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response | None:
        """GET with retries; for CMSs that put paging in headers (WordPress's X-WP-Total)."""
        try:
            self.breaker.before_call()
        except CircuitOpen as exc:
            raise ContentUnavailable(str(exc)) from exc
        try:
            response: httpx.Response | None = await self.backoff.retrying()(
                self._attempt, path, params
            )
        except Retryable as exc:
            self.breaker.record_failure()
            raise ContentUnavailable(f"the CMS did not answer: {exc}") from exc
        except ContentUnavailable:
            self.breaker.record_success()  # the CMS is up; the request was wrong
            raise
        self.breaker.record_success()
        return response

    async def _attempt(self, path: str, params: dict[str, Any] | None) -> httpx.Response | None:
        """One try: the response, None for a 404, or why it failed and whether to try again."""
        try:
            async with self._slots:
                response = await self._client.get(path, params=params)
        except httpx.TransportError as exc:
            raise Retryable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code < 400:
            return response
        failure = f"HTTP {response.status_code} from {response.request.url}"
        if response.status_code in RETRY_STATUSES:
            raise Retryable(failure, response.headers.get("retry-after"))
        raise ContentUnavailable(failure)

    async def aclose(self) -> None:
        await self._client.aclose()
