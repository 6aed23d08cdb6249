"""Throughput of blocks over REST (`GET /v1/personalize/content`) vs a bare Starlette endpoint.

The bare endpoint sends the very bytes Veneer answered for the hero block, pre-rendered, from
the same uvicorn process (uvloop + httptools, one worker); `wrk` loads each in alternating
rounds of the same run, so the ratios hold when the machine's speed moves. What a block costs
on top of sending it: the viewer's state, the variant choice and the template. Run:
`python -m bench.blocks [--json]` (in `make bench`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import orjson
from starlette.testclient import TestClient

from bench.load import require_wrk, wrk
from bench.servers import uvicorn_server
from veneer.app import create_app
from veneer.cli.server import seed_demo_placements, seed_demo_segments
from veneer.settings import Settings
from veneer.store.migrate import migrate

VIEWER = {"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": "bench-camper"}
PATHS = {
    "hero_html": "/v1/personalize/content?placement=hero&format=html",
    "hero_json": "/v1/personalize/content?placement=hero&format=json",
    "recommended_json": "/v1/personalize/content?placement=recommended&format=json",
}


def _prepare(workdir: Path) -> dict[str, str]:
    """The demo database, placements seeded, one camper who granted PERSONALIZATION."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("VENEER_")},
        "VENEER_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "VENEER_DEMO": "1",
        "VENEER_VIEWER_CACHE_TTL": "5",
    }
    settings = Settings(database_url=env["VENEER_DATABASE_URL"], demo=True)
    migrate(settings)
    asyncio.run(seed_demo_segments(settings))
    asyncio.run(seed_demo_placements(settings))
    with TestClient(create_app(settings)) as client:
        query = (
            "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) "
            '{ purpose } identify(traits: {interests: ["camping"]}) { id } }'
        )
        assert client.post("/graphql", json={"query": query}, headers=VIEWER).is_success
        hero = client.get(PATHS["hero_html"], headers=VIEWER)
        assert hero.status_code == 200 and "v-campers" in hero.text, hero.text
    baseline = workdir / "hero.html"
    baseline.write_bytes(hero.content)
    env["BENCH_BASELINE_FILE"] = str(baseline)
    env["BENCH_BASELINE_TYPE"] = "text/html"
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()
    require_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="veneer-bench-"))
    runs: dict[str, list[float]] = {"bare": [], **{name: [] for name in PATHS}}
    try:
        env = _prepare(workdir)
        urls = {"bare": "/bench/baseline", **PATHS}
        with uvicorn_server("bench.entries_app:app", env) as base:
            for url in urls.values():  # warm the caches and the templates
                wrk(f"{base}{url}", 1, args.connections, VIEWER)
            for _ in range(args.rounds):
                for name, url in urls.items():
                    runs[name].append(wrk(f"{base}{url}", args.seconds, args.connections, VIEWER))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rps = {name: statistics.median(rounds) for name, rounds in runs.items()}
    ratios = {name: rps[name] / rps["bare"] for name in PATHS}
    if args.json:
        sys.stdout.write(orjson.dumps({"rps": rps, "ratios": ratios}).decode() + "\n")
        return
    print(f"bare Starlette, the hero block's bytes pre-rendered: {rps['bare']:8.0f} req/s")
    for name, path in PATHS.items():
        print(f"{path:58} {rps[name]:8.0f} req/s  {ratios[name]:.3f}x bare")


if __name__ == "__main__":
    main()
