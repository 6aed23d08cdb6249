"""Throughput of a personalized `entries(first: 20)` query vs a bare Starlette endpoint.

Both endpoints live in one uvicorn process (uvloop + httptools, one worker) and are loaded by
`wrk` in the same run, alternating rounds, so the ratio is stable even when absolute numbers
move with the machine. Run: `make bench` (or `python -m bench.entries_throughput`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

import orjson
from starlette.testclient import TestClient

from bench.load import require_wrk, wrk
from bench.servers import uvicorn_server
from veneer.app import create_app
from veneer.cli.server import seed_demo_segments
from veneer.settings import Settings
from veneer.store.migrate import migrate

QUERY = (
    "{ entries(first: 20) { edges { cursor node { id contentType slug fields "
    "personalization { baseline variantId reason segments } } } "
    "pageInfo { hasNextPage endCursor } } }"
)
VIEWER_HEADERS = {
    "Authorization": "Bearer pk_demo",
    "X-Veneer-Anonymous-Id": "bench-viewer",
    "Content-Type": "application/json",
}


def _prepare(workdir: Path) -> dict[str, str]:
    """A demo database with one consenting viewer in several segments; returns the env."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("VENEER_")},
        "VENEER_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "VENEER_DEMO": "1",
        "VENEER_VIEWER_CACHE_TTL": "5",
    }
    settings = Settings(database_url=env["VENEER_DATABASE_URL"], demo=True)
    migrate(settings)
    import asyncio

    asyncio.run(seed_demo_segments(settings))
    with TestClient(create_app(settings)) as client:
        for query in (
            "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) "
            "{ purpose } }",
            'mutation { identify(traits: {interests: ["camping", "trail-running"], '
            'region: "alps"}) { id } }',
        ):
            assert client.post("/graphql", json={"query": query}, headers=VIEWER_HEADERS).is_success
        answer = client.post("/graphql", json={"query": QUERY}, headers=VIEWER_HEADERS)
        body = answer.json()
        assert "errors" not in body, body
        edges = body["data"]["entries"]["edges"]
        assert len(edges) == 20
        personalized = sum(not e["node"]["personalization"]["baseline"] for e in edges)
        print(f"query returns 20 entries, {personalized} of them personalized for the viewer")
    baseline_file = workdir / "baseline.json"
    baseline_file.write_bytes(answer.content)
    env["BENCH_BASELINE_FILE"] = str(baseline_file)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    require_wrk()

    workdir = Path(tempfile.mkdtemp(prefix="veneer-bench-"))
    env = _prepare(workdir)
    body = orjson.dumps({"query": QUERY})
    try:
        with uvicorn_server("bench.entries_app:app", env) as base:
            # warm both paths (parser/validation caches, content cache, viewer cache)
            wrk(f"{base}/graphql", 2, args.connections, VIEWER_HEADERS, body)
            wrk(f"{base}/bench/baseline", 2, args.connections, VIEWER_HEADERS, body)
            veneer, bare = [], []
            for _ in range(args.rounds):
                veneer.append(
                    wrk(f"{base}/graphql", args.seconds, args.connections, VIEWER_HEADERS, body)
                )
                bare.append(
                    wrk(
                        f"{base}/bench/baseline",
                        args.seconds,
                        args.connections,
                        VIEWER_HEADERS,
                        body,
                    )
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    v, b = statistics.median(veneer), statistics.median(bare)
    print(f"personalized entries(first: 20) over GraphQL: {v:8.0f} req/s  (rounds: {veneer})")
    print(f"bare Starlette, same 20 entries pre-serialized: {b:8.0f} req/s  (rounds: {bare})")
    print(f"ratio (Veneer / bare): {v / b:.3f}")


if __name__ == "__main__":
    main()
