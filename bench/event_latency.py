"""Event-to-profile latency, p50 and p99: from sending an event to seeing it in the profile.

For each deployment (embedded: SQLite, in-process; production path: Redis Streams and
`veneer worker`, here on SQLite) one viewer sends events one at a time; after each, the client polls
`viewer { activity }` until the new count shows. Latency is measured at the client, so it
includes the poll's own round trip (the resolution is one GraphQL request, about 2-4 ms).
The figures are the steady state: a few events from another viewer go first (a process's
first statements are compiled then), and the client's garbage collector is off while it
times, as `timeit` has it, so that a pause of the client is not counted as the server's.
Run: `python -m bench.event_latency` (or `make bench`).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

from bench.servers import redis_server, uvicorn_server, veneer_env, worker_process
from veneer.settings import Settings
from veneer.store.migrate import migrate

HEADERS = {"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": "latency-viewer"}
ACTIVITY = {"query": "{ viewer { activity } }"}
WARM_UP = 5  # events from another viewer before any is timed


def _clicks(client: httpx.Client) -> int:
    body = client.post("/graphql", json=ACTIVITY, headers=HEADERS).json()
    return int(body["data"]["viewer"]["activity"].get("counts", {}).get("click", 0))


def _measure(base: str, events: int) -> list[float]:
    grant = "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) { purpose } }"
    with httpx.Client(base_url=base, timeout=10) as client:
        warming = {**HEADERS, "X-Veneer-Anonymous-Id": "warm-up-viewer"}
        client.post("/graphql", json={"query": grant}, headers=warming).raise_for_status()
        for n in range(WARM_UP):
            warm = [{"id": f"warm-{n}", "type": "click"}]
            client.post("/v1/events", json=warm, headers=warming).raise_for_status()
        client.post("/graphql", json={"query": grant}, headers=HEADERS).raise_for_status()
        gc.collect()
        gc.disable()
        try:
            return _time_events(client, events)
        finally:
            gc.enable()


def _time_events(client: httpx.Client, events: int) -> list[float]:
    """One event at a time, each timed until the profile shows it."""
    latencies = []
    seen = _clicks(client)
    for n in range(events):
        start = time.perf_counter()
        event = [{"id": f"lat-{n}", "type": "click"}]
        sent = client.post("/v1/events", json=event, headers=HEADERS)
        assert sent.status_code == 202 and sent.json()["accepted"] == 1, sent.text
        deadline = start + 10
        while _clicks(client) <= seen:
            if time.perf_counter() > deadline:
                raise RuntimeError("event not visible after 10 s")
        latencies.append((time.perf_counter() - start) * 1000)
        seen += 1
    return latencies


def _percentiles(latencies: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return {"p50_ms": cuts[49], "p99_ms": cuts[98], "n": len(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="veneer-bench-"))

    embedded_db = f"sqlite:///{workdir / 'embedded.db'}"
    migrate(Settings(database_url=embedded_db))
    env = veneer_env(database_url=embedded_db, demo="1")
    with uvicorn_server("veneer.app:create_app", env, factory=True) as base:
        embedded = _measure(base, args.events)

    streamed_db = f"sqlite:///{workdir / 'streamed.db'}"
    migrate(Settings(database_url=streamed_db))
    with redis_server() as server:
        env = veneer_env(database_url=streamed_db, redis_url=server.url, demo="1")
        with (
            worker_process(env),
            uvicorn_server("veneer.app:create_app", env, factory=True) as base,
        ):
            streamed = _measure(base, args.events)

    with (
        uvicorn_server(
            "veneer.app:create_app", veneer_env(database_url=embedded_db, demo="1"), factory=True
        ) as base,
        httpx.Client(base_url=base) as client,
    ):
        polls = []
        for _ in range(200):
            start = time.perf_counter()
            _clicks(client)
            polls.append((time.perf_counter() - start) * 1000)
    figures = {
        "embedded": _percentiles(embedded),
        "redis": _percentiles(streamed),
        "poll_p50_ms": statistics.median(polls),
    }
    if args.json:
        sys.stdout.write(orjson.dumps(figures).decode() + "\n")
        return
    for name, key in (
        ("embedded (SQLite, in-process)", "embedded"),
        ("Redis Streams + veneer worker", "redis"),
    ):
        cut = figures[key]
        assert isinstance(cut, dict)
        print(
            f"{name:<34} p50 {cut['p50_ms']:6.1f} ms   p99 {cut['p99_ms']:6.1f} ms   (n={cut['n']})"
        )
    poll = figures["poll_p50_ms"]
    print(f"(a bare GraphQL poll, the resolution of these figures: p50 {poll:.1f} ms)")


if __name__ == "__main__":
    main()
