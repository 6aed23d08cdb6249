"""Veneer's personalized GraphQL over Wagtail content vs Wagtail's own API v2, same run.

A real Wagtail 8 site (the test site: 25 product pages, SQLite) is served by gunicorn with
one sync worker; Veneer is served by uvicorn with one worker and reads that site through
its Wagtail adapter (content cached, as in production). Both answer "the first 20 products
with all their fields"; Veneer also picks each product's variant for a consenting viewer in
two segments. Run: `python -m bench.wagtail_vs_veneer` (or `make bench`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson

from bench.load import require_wrk, wrk
from bench.servers import free_port, uvicorn_server, veneer_env
from tests.e2e.wagtail_server import SITE, WagtailServer
from veneer.settings import Settings
from veneer.store.migrate import migrate

VIEWER = {"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": "bench-viewer"}
QUERY = (
    '{ entries(contentType: "product", first: 20) { edges { node { id slug fields '
    "personalization { variantId reason } } } } }"
)
WAGTAIL_QUERY = "pages/?type=shop.ProductPage&fields=*&limit=20"


@contextmanager
def gunicorn_wagtail(server: WagtailServer) -> Iterator[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{server.port}",
            "cmsproject.wsgi:application",
        ],
        cwd=SITE,
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(server.api + "pages/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not serve the Wagtail site")
            time.sleep(0.1)
        yield server.api
    finally:
        process.terminate()
        process.wait(timeout=10)


def _prepare_viewer(base: str) -> None:
    for query in (
        'mutation { upsertSegment(key: "campers", name: "Campers", rule: {trait: "interests", '
        'op: "contains", value: "camping"}) { key } }',
        'mutation { upsertSegment(key: "premium", name: "Premium", rule: {trait: "ltv", op: "gte", '
        "value: 500}) { key } }",
    ):
        httpx.post(
            f"{base}/graphql", json={"query": query}, headers={"Authorization": "Bearer sk_demo"}
        ).raise_for_status()
    for query in (
        "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) "
        "{ purpose } }",
        'mutation { identify(traits: {interests: ["camping"], ltv: 900}) { id } }',
    ):
        httpx.post(f"{base}/graphql", json={"query": query}, headers=VIEWER).raise_for_status()
    body = httpx.post(f"{base}/graphql", json={"query": QUERY}, headers=VIEWER).json()
    edges = body["data"]["entries"]["edges"]
    assert len(edges) == 20, body
    assert edges[0]["node"]["personalization"]["variantId"] == "v-premium", edges[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()
    require_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="veneer-bench-"))
    wagtail = WagtailServer(workdir / "wagtail", webhook_url="", webhook_secret="")
    (workdir / "wagtail").mkdir()
    wagtail.manage("migrate", "-v0")
    wagtail.manage("seed")
    database = f"sqlite:///{workdir / 'veneer.db'}"
    migrate(Settings(database_url=database))
    types = "types=article:shop.ArticlePage,product:shop.ProductPage"
    with gunicorn_wagtail(wagtail) as api:
        env = veneer_env(database_url=database, content=f"wagtail:{api}?{types}", demo="1")
        with uvicorn_server("veneer.app:create_app", env, factory=True, port=free_port()) as base:
            _prepare_viewer(base)
            body = orjson.dumps({"query": QUERY})
            headers = {**VIEWER, "Content-Type": "application/json"}
            wrk(f"{base}/graphql", 2, args.connections, headers, body)
            wrk(api + WAGTAIL_QUERY, 2, args.connections)
            veneer, native = [], []
            for _ in range(args.rounds):
                veneer.append(wrk(f"{base}/graphql", args.seconds, args.connections, headers, body))
                native.append(wrk(api + WAGTAIL_QUERY, args.seconds, args.connections))
    v, w = sorted(veneer)[len(veneer) // 2], sorted(native)[len(native) // 2]
    if args.json:
        figures = {"rps": {"veneer": v, "wagtail": w}, "ratio": v / w}
        sys.stdout.write(orjson.dumps(figures).decode() + "\n")
        return
    print(f"Veneer, personalized GraphQL over Wagtail: {v:8.0f} req/s  (rounds: {veneer})")
    print(f"Wagtail API v2, same 20 pages:             {w:8.0f} req/s  (rounds: {native})")
    print(f"ratio (Veneer / Wagtail): {v / w:.2f}")


if __name__ == "__main__":
    main()
