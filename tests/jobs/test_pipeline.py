"""The production event path on a real Redis: stream, consumer group, `veneer worker`.

Every test asserts the promise the path makes: an event acknowledged with 202 is counted in
the profile exactly once, whatever dies in between.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, func, select
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from tests.redis_server import redis_server
from veneer.app import create_app
from veneer.backends.stream import GROUP, STREAM
from veneer.settings import Settings, normalize_database_url
from veneer.store.engine import sync_url
from veneer.store.models import EventRow

GRANT = "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) { purpose } }"
WAIT_SECONDS = 60


def _until(condition: Callable[[], bool], what: str) -> None:
    """Poll until ``condition`` holds: waiting on a worker's progress, not on a clock."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


class Worker:
    """`veneer worker` in its own process, as production runs it."""

    def __init__(self, env: dict[str, str], name: str, *args: str):
        veneer = Path(sys.executable).parent / "veneer"
        self.process = subprocess.Popen(
            [str(veneer), "worker", "--name", name, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def worker_env(database_url: str) -> Callable[[str], dict[str, str]]:
    def env(redis_url: str) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("VENEER_")}
        return {**clean, "VENEER_DATABASE_URL": database_url, "VENEER_REDIS_URL": redis_url}

    return env


@pytest.fixture
def stored_count(database_url: str) -> Iterator[Callable[[], int]]:
    engine = create_engine(sync_url(normalize_database_url(database_url)))

    def count() -> int:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(EventRow)) or 0)

    yield count
    engine.dispose()


def _client(settings: Settings, redis_url: str) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"redis_url": redis_url})))


def _send(
    client: TestClient, key: str, viewer: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    response = client.post(
        "/v1/events",
        json=events,
        headers={"Authorization": f"Bearer {key}", "X-Veneer-Anonymous-Id": viewer},
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def _clicks(prefix: str, n: int) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}-{i}", "type": "click"} for i in range(n)]


def _clicks_counted(client: TestClient, key: str, viewer: str) -> int:
    body = data(gql(client, "{ viewer { activity } }", key=key, anonymous_id=viewer))
    return int(body["viewer"]["activity"].get("counts", {}).get("click", 0))


def _pending(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.xpending(STREAM, GROUP)["pending"])
    finally:
        client.close()


def test_events_reach_the_profile_through_the_worker(
    settings: Settings, keys: Keys, redis_url: str, worker_env: Callable[[str], dict[str, str]]
) -> None:
    worker = Worker(worker_env(redis_url), "w1")
    try:
        with _client(settings, redis_url) as client:
            data(gql(client, GRANT, key=keys.public, anonymous_id="r1"))
            first = _send(client, keys.public, "r1", _clicks("c", 5))
            retry = _send(client, keys.public, "r1", _clicks("c", 6))
            assert first == {"accepted": 5, "duplicates": 0, "rejected": [], "withoutConsent": 0}
            assert retry == {"accepted": 1, "duplicates": 5, "rejected": [], "withoutConsent": 0}
            _until(lambda: _clicks_counted(client, keys.public, "r1") == 6, "6 clicks counted")
    finally:
        worker.stop()
    assert _pending(redis_url) == 0


def test_a_worker_killed_mid_batch_loses_nothing_and_counts_nothing_twice(
    settings: Settings,
    keys: Keys,
    redis_url: str,
    worker_env: Callable[[str], dict[str, str]],
    stored_count: Callable[[], int],
) -> None:
    total = 3000
    with _client(settings, redis_url) as client:
        data(gql(client, GRANT, key=keys.public, anonymous_id="r2"))
        for batch in range(total // 500):
            _send(client, keys.public, "r2", _clicks(f"k{batch}", 500))

        doomed = Worker(worker_env(redis_url), "doomed", "--batch-size", "25")
        _until(lambda: stored_count() > 0, "the first worker to make progress")
        doomed.kill()
        assert stored_count() < total, "the worker was killed before it finished"

        survivor = Worker(worker_env(redis_url), "survivor", "--reclaim-idle", "0.2")
        try:
            _until(lambda: stored_count() == total, "every event to be stored")
            _until(lambda: _pending(redis_url) == 0, "every message to be acknowledged")
        finally:
            survivor.stop()
        assert _clicks_counted(client, keys.public, "r2") == total


def test_acknowledged_events_survive_a_redis_crash(
    settings: Settings,
    keys: Keys,
    worker_env: Callable[[str], dict[str, str]],
    stored_count: Callable[[], int],
) -> None:
    with redis_server() as server:
        with _client(settings, server.url) as client:
            data(gql(client, GRANT, key=keys.public, anonymous_id="r3"))
            acked = _send(client, keys.public, "r3", _clicks("a", 200))
        assert acked["accepted"] == 200

        server.crash()
        server.start()

        worker = Worker(worker_env(server.url), "after-crash", "--reclaim-idle", "0.2")
        try:
            _until(lambda: stored_count() == 200, "the events acknowledged before the crash")
        finally:
            worker.stop()
        with _client(settings, server.url) as client:
            assert _send(client, keys.public, "r3", _clicks("a", 200))["duplicates"] == 200
            assert _clicks_counted(client, keys.public, "r3") == 200


def test_the_worker_refuses_to_start_without_redis(database_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENEER_")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "veneer"), "worker"],
        env={**env, "VENEER_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "VENEER_REDIS_URL is not set" in result.stdout


def test_trimming_keeps_every_event_a_worker_still_needs(redis_url: str) -> None:
    from datetime import UTC, datetime

    from redis.asyncio import Redis

    from veneer.backends.stream import RedisEventStream
    from veneer.events.model import Event

    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    events = [Event(f"t{i}", "click", now, now, f"dev-{i}", None, None, {}, {}) for i in range(3)]

    async def scenario() -> list[int]:
        client = Redis.from_url(redis_url)
        stream = RedisEventStream(client)
        await stream.ensure_group()
        await stream.publish(events, 60)
        lengths = []
        await stream.trim_processed()
        lengths.append(await client.xlen(STREAM))  # unread: kept
        taken = await stream.read("w", 2, 1)
        await stream.trim_processed()
        lengths.append(await client.xlen(STREAM))  # read but pending: kept
        await stream.ack([message_id for message_id, _ in taken])
        await stream.trim_processed()
        lengths.append(await client.xlen(STREAM))  # two done, one unread
        await client.aclose()
        return lengths

    assert asyncio.run(scenario()) == [3, 3, 1]
