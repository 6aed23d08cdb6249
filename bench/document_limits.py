"""Refusing an oversized GraphQL document vs answering an ordinary query, per request.

One Veneer under uvicorn (SQLite, demo keys) answers, through the public demo key:

- the baseline, measured in the same run: the personalized ``entries(first: 20)`` query of
  `bench.entries_throughput`, answered in full;
- documents the limits refuse before validation: 10,000 aliases (too many characters to
  read), 200 aliases (parsing stops at 1,000 tokens), 500 copies of one field, fragments
  spreading each other twice over 40 levels, and 166 aliases in 1,000 tokens, the most
  parsing and measuring a refusal does (``QUERY_TOO_COMPLEX``);
- with ``--unlimited`` also a second Veneer whose limits are raised out of the way, to show
  what the 10,000 aliases and the 500 copies cost when they reach validation.

An attacker varies the text to miss the caches, so every refused document is sent with a new
operation name each time; the baseline is sent as it is, as real clients do. Each figure is
the median of ``--requests`` requests, timed at the client; ratios are each figure over the
baseline's. Run: ``python -m bench.document_limits [--unlimited] [--json]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.servers import uvicorn_server, veneer_env
from veneer.settings import Settings
from veneer.store.migrate import migrate

HEADERS = {"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": "bench-viewer"}
BASELINE = """{ entries(first: 20) { edges { cursor node { id contentType slug fields
    personalization { baseline variantId reason segments } } }
  pageInfo { hasNextPage endCursor } } }"""
BOMB = " ".join(f"fragment F{i} on Viewer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))


def _aliases(n: int) -> str:
    return "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(n)) + " }"


REFUSED = {
    "10,000 aliases": (_aliases(10_000), "TOO_MANY_TOKENS"),
    "200 aliases (1,202 tokens)": (_aliases(200), "TOO_MANY_TOKENS"),
    "500 identical fields": ("{ viewer { " + "id " * 500 + "} }", "QUERY_TOO_COMPLEX"),
    "fragments spread 2^40 times": (
        f"{{ viewer {{ ...F0 }} }} {BOMB} fragment F40 on Viewer {{ id }}",
        "QUERY_TOO_COMPLEX",
    ),
    "166 aliases (1,000 tokens)": (_aliases(166), "QUERY_TOO_COMPLEX"),
}
UNLIMITED = {"graphql_max_tokens": "1000000", "graphql_max_fields": "1000000"}
UNLIMITED |= {"graphql_max_aliases": "1000000", "graphql_max_depth": "1000"}


def _named(query: str, n: int) -> str:
    """The same document under a new operation name: a different text for every cache."""
    assert query.startswith("{")
    return f"query Q{n} {query}"


def _time(
    client: httpx.Client, query: str, requests: int, expect: str | None, vary: bool = True
) -> float:
    """Median milliseconds per request; every answer must be the expected one."""
    headers = {**HEADERS, "Content-Type": "application/json"}
    timings = []
    for n in range(requests + 1):  # the first request warms up and is not counted
        payload = orjson.dumps({"query": _named(query, n) if vary else query})
        start = time.perf_counter()
        answer = client.post("/graphql", content=payload, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        body = answer.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        if expect is None:
            assert answer.status_code == 200 and not codes, body
        else:
            assert codes == [expect], body
    return statistics.median(timings[1:])


def _measure(env: dict[str, str], requests: int) -> dict[str, float]:
    with (
        uvicorn_server("veneer.app:create_app", env, factory=True) as base,
        httpx.Client(base_url=base, timeout=120) as client,
    ):
        consent = "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) "
        client.post("/graphql", json={"query": consent + "{ purpose } }"}, headers=HEADERS)
        baseline = _time(client, BASELINE, requests, None, vary=False)
        figures = {"baseline: entries(first: 20)": baseline}
        for name, (query, code) in REFUSED.items():
            figures[name] = _time(client, query, requests, code)
    return figures


def _unlimited(env: dict[str, str], rounds: int) -> dict[str, float]:
    env = {**env, **{f"VENEER_{k.upper()}": v for k, v in UNLIMITED.items()}}
    with (
        uvicorn_server("veneer.app:create_app", env, factory=True) as base,
        httpx.Client(base_url=base, timeout=600) as client,
    ):
        return {
            f"{name}, limits raised": _time(client, REFUSED[name][0], rounds, None)
            for name in ("10,000 aliases", "500 identical fields")
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--unlimited", action="store_true", help="also time them unrefused")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="veneer-bench-"))
    database = f"sqlite:///{workdir / 'limits.db'}"
    migrate(Settings(database_url=database))
    env = veneer_env(database_url=database, demo="1")

    figures = _measure(env, args.requests)
    if args.unlimited:
        figures |= _unlimited(env, rounds=3)  # seconds each: a few rounds
    baseline = figures["baseline: entries(first: 20)"]
    result: dict[str, Any] = {
        name: {"ms": round(ms, 2), "ratio": round(ms / baseline, 3)} for name, ms in figures.items()
    }
    if args.json:
        print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
        return
    print(f"{'document':<40} {'ms/request':>11} {'x baseline':>11}")
    for name, figure in result.items():
        print(f"{name:<40} {figure['ms']:>11.2f} {figure['ratio']:>11.3f}")


if __name__ == "__main__":
    main()
