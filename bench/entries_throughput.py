"""Throughput of a personalized `entries(first: 20)` query vs a bare Starlette endpoint.

Every figure comes from one run on one machine, `wrk` loading each endpoint in alternating
rounds, so the ratios are stable even when absolute numbers move with the machine:

- ``bare``: a Starlette route returning the very bytes Veneer answers, pre-serialized;
- ``persisted``: the query sent by its hash alone (Automatic Persisted Queries), its answer
  reused for the viewer's decision vector;
- ``repeated``: the same query sent as text again;
- ``first_seen``: a document never seen before on every request (its operation is named
  by a counter), so it is parsed, checked, run and kept each time;
- ``miss``: the known document with a new key on every request (a counter in its
  variables), so it runs and is kept each time;
- ``uncached``: the same requests as ``repeated`` to a server that reuses no answers
  (``VENEER_ANSWER_CACHE_SIZE=0``), which is how every request ran before answers were
  reused; ``first_seen_uncached`` and ``miss_uncached`` likewise;
- ``two_workers``: ``persisted`` against the same app under two uvicorn workers.

Servers run uvicorn with uvloop + httptools. Run: `make bench` (or
`python -m bench.entries_throughput [--json]`).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import httpx
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
SHA = hashlib.sha256(QUERY.encode()).hexdigest()
PERSISTED = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": SHA}}}
VIEWER_HEADERS = {
    "Authorization": "Bearer pk_demo",
    "X-Veneer-Anonymous-Id": "bench-viewer",
    "Content-Type": "application/json",
}
# Lua for wrk: each request's body from a template and a counter.
COUNTED = """
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format([==[%s]==], n))
end
"""
FIRST_SEEN = orjson.dumps({"query": f"query Q%d {QUERY}"}).decode()
MISS = orjson.dumps({"query": QUERY}).decode()[:-1] + ',"variables":{"nonce":%d}}'
REPORTED = ("persisted", "repeated", "first_seen", "miss", "uncached")


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
        print(
            f"query returns 20 entries, {personalized} of them personalized for the viewer",
            file=sys.stderr,
        )
    baseline_file = workdir / "baseline.json"
    baseline_file.write_bytes(answer.content)
    env["BENCH_BASELINE_FILE"] = str(baseline_file)
    return env


def _register(base: str) -> None:
    """What Apollo Client does once: the hash with the text, so the hash alone works after."""
    sent = {"query": QUERY, **PERSISTED}
    answer = httpx.post(f"{base}/graphql", json=sent, headers=VIEWER_HEADERS).json()
    assert "errors" not in answer, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()
    require_wrk()

    workdir = Path(tempfile.mkdtemp(prefix="veneer-bench-"))
    text, persisted = orjson.dumps({"query": QUERY}), orjson.dumps(PERSISTED)
    runs: dict[str, list[float]] = {}
    try:
        env = _prepare(workdir)
        uncached_env = {**env, "VENEER_ANSWER_CACHE_SIZE": "0"}
        with ExitStack() as servers:
            one = servers.enter_context(uvicorn_server("bench.entries_app:app", env))
            off = servers.enter_context(uvicorn_server("bench.entries_app:app", uncached_env))
            two = servers.enter_context(uvicorn_server("bench.entries_app:app", env, workers=2))
            for base in (one, two):
                _register(base)
            loads = {
                "bare": (f"{one}/bench/baseline", text, ""),
                "persisted": (f"{one}/graphql", persisted, ""),
                "repeated": (f"{one}/graphql", text, ""),
                "first_seen": (f"{one}/graphql", text, COUNTED % FIRST_SEEN),
                "miss": (f"{one}/graphql", text, COUNTED % MISS),
                "uncached": (f"{off}/graphql", text, ""),
                "first_seen_uncached": (f"{off}/graphql", text, COUNTED % FIRST_SEEN),
                "miss_uncached": (f"{off}/graphql", text, COUNTED % MISS),
                "two_workers": (f"{two}/graphql", persisted, ""),
            }
            for url, body, script in loads.values():  # warm every path and cache
                wrk(url, 1, args.connections, VIEWER_HEADERS, body, script)
            for _ in range(args.rounds):
                for name, (url, body, script) in loads.items():
                    rate = wrk(url, args.seconds, args.connections, VIEWER_HEADERS, body, script)
                    runs.setdefault(name, []).append(rate)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rps = {name: statistics.median(rounds) for name, rounds in runs.items()}
    ratios = {name: rps[name] / rps["bare"] for name in REPORTED}
    ratios["two_workers"] = rps["two_workers"] / rps["persisted"]
    if args.json:
        sys.stdout.write(orjson.dumps({"rps": rps, "ratios": ratios}).decode() + "\n")
        return
    print("personalized entries(first: 20), requests/s (median of rounds) and x bare:")
    for name in ("bare", *REPORTED):
        ratio = "" if name == "bare" else f"{ratios[name]:6.3f}x"
        print(f"  {name:<20} {rps[name]:8.0f}  {ratio}  rounds: {[round(r) for r in runs[name]]}")
    for name in ("first_seen", "miss"):
        print(
            f"  {name} against the same requests without reuse: "
            f"{rps[name] / rps[name + '_uncached']:.3f}x"
        )
    print(f"  two workers against one, persisted: {ratios['two_workers']:.2f}x")


if __name__ == "__main__":
    main()
