"""Ingest throughput: events/s through ``POST /v1/events`` vs raw pipelined XADD, same run.

Veneer validates each event, checks the sender may speak for its viewer, looks up consent,
dedupes atomically and appends to the Redis Stream before answering 202. The baseline sends
the same events to the same Redis with a redis-py pipeline of XADDs and nothing else. Run:
`python -m bench.events_ingest` (or `make bench`).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import redis

from bench.servers import redis_server, uvicorn_server, veneer_env
from veneer.settings import Settings
from veneer.store.migrate import migrate

VIEWERS = 50


def _batch(run: str, number: int, size: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{run}-{number}-{i}",
            "type": "entry_view",
            "anonymousId": f"viewer-{(number + i) % VIEWERS}",
            "entryId": f"entry-{i % 20}",
            "timestamp": "2026-11-26T10:00:00Z",
            "context": {"url": "https://shop.example/p"},
        }
        for i in range(size)
    ]


async def _veneer(base: str, run: str, batches: int, size: int, concurrency: int) -> float:
    headers = {"Authorization": "Bearer sk_demo", "Content-Type": "application/json"}
    bodies = [orjson.dumps(_batch(run, n, size)) for n in range(batches)]
    queue = list(range(batches))
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def sender() -> None:
            while queue:
                body = bodies[queue.pop()]
                response = await client.post("/v1/events", content=body, headers=headers)
                body = response.json()
                assert response.status_code == 202 and body["accepted"] == size, body

        start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        return batches * size / (time.perf_counter() - start)


def _raw_xadd(url: str, batches: int, size: int) -> float:
    client = redis.Redis.from_url(url)
    payloads = [[orjson.dumps(e) for e in _batch("r", n, size)] for n in range(batches)]
    client.delete("bench:raw")  # each round appends to a stream as long as the last
    start = time.perf_counter()
    for payload in payloads:
        pipe = client.pipeline(transaction=False)
        for event in payload:
            pipe.xadd("bench:raw", {"event": event})
        pipe.execute()
    elapsed = time.perf_counter() - start
    client.close()
    return batches * size / elapsed


def _grant_viewers(base: str) -> None:
    query = "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) { purpose } }"
    with httpx.Client(base_url=base) as client:
        for n in range(VIEWERS):
            client.post(
                "/graphql",
                json={"query": query},
                headers={"Authorization": "Bearer sk_demo", "X-Veneer-Anonymous-Id": f"viewer-{n}"},
            ).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=400)
    parser.add_argument("--size", type=int, default=100, help="events per request")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternate Veneer and the baseline; medians"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="veneer-bench-"))
    database = f"sqlite:///{workdir / 'bench.db'}"
    migrate(Settings(database_url=database))
    veneers: list[float] = []
    raws: list[float] = []
    with redis_server() as server:
        env = veneer_env(database_url=database, redis_url=server.url, demo="1")
        with uvicorn_server("veneer.app:create_app", env, factory=True) as base:
            _grant_viewers(base)
            asyncio.run(_veneer(base, "warm", 20, args.size, args.concurrency))
            for n in range(args.rounds):  # both sides see the same disk and the same neighbours
                run = f"v{n}"
                veneers.append(
                    asyncio.run(_veneer(base, run, args.batches, args.size, args.concurrency))
                )
                raws.append(_raw_xadd(server.url, args.batches, args.size))
    veneer, raw = statistics.median(veneers), statistics.median(raws)
    if args.json:
        figures = {
            "events_per_s": {"veneer": veneer, "xadd": raw},
            "ratio": veneer / raw,
            "rounds": {"veneer": veneers, "xadd": raws},
        }
        sys.stdout.write(orjson.dumps(figures).decode() + "\n")
        return
    spread = f"rounds: {', '.join(f'{v / r:.3f}' for v, r in zip(veneers, raws, strict=True))}"
    print(f"POST /v1/events (validate, consent, dedupe, XADD): {veneer:9.0f} events/s")
    print(f"raw redis-py pipelined XADD of the same events:    {raw:9.0f} events/s")
    print(f"ratio (Veneer / raw XADD), medians of {args.rounds} rounds: {veneer / raw:.3f}")
    print(f"({spread})")


if __name__ == "__main__":
    main()
