"""Backfill: 20 rule segments over N profiles (1M by default) on PostgreSQL, same run baseline.

Generates profiles with traits and about three events each (COPY), saves 20 segments (trait
rules, event windows, ``where`` filters, references), then times `backfill` (rules compiled
to SQL, one pass per slice for all segments), first into an empty members table and then
again with every member stored (what a sweep or a changed rule costs). The baseline is the
way without SQL pushdown: load each profile's traits and events into Python and run
`evaluate_segments`, timed on a sample of profiles in the same run.
Run: ``python -m bench.segments_backfill [--profiles N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import psycopg
from sqlalchemy import select

from tests.postgres import postgres_server
from veneer.jobs.memberships import backfill
from veneer.segments.evaluate import ViewerEvent, ViewerFacts, evaluate_segments
from veneer.segments.rules import parse_rule
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.migrate import migrate
from veneer.store.models import EventRow, ProfileRow
from veneer.store.segments import upsert_segment

NOW = datetime.now(UTC).replace(microsecond=0)
CITIES = ["Lyon", "Berlin", "Oslo", "Leeds", "Porto", "Graz"]
INTERESTS = ["camping", "climbing", "running", "cooking", "cycling"]
PRODUCTS = [f"product-{n:03d}" for n in range(200)]
EVENT_TYPES = ["entry_view", "entry_view", "entry_view", "add_to_cart", "purchase"]
SEGMENTS: dict[str, dict[str, Any]] = {
    "adults-30-45": {"trait": "age", "op": "between", "value": [30, 45]},
    "seniors": {"trait": "age", "op": "gte", "value": 65},
    "lyon": {"trait": "city", "op": "eq", "value": "Lyon"},
    "nordic": {"trait": "city", "op": "in", "value": ["Oslo", "Graz"]},
    "campers": {"trait": "interests", "op": "contains", "value": "camping"},
    "climbers": {"trait": "interests", "op": "contains", "value": "climbing"},
    "pro-plan": {"trait": "plan", "op": "eq", "value": "pro"},
    "no-plan": {"trait": "plan", "op": "exists", "value": False},
    "viewers-48h": {"event": "entry_view", "within": "48h"},
    "keen-product-7": {
        "event": "entry_view",
        "where": {"entryId": "product-007"},
        "count": {"gte": 1},
        "within": "30d",
    },
    "carts-7d": {"event": "add_to_cart", "within": "7d"},
    "buyers-30d": {"event": "purchase", "within": "30d"},
    "repeat-buyers": {"event": "purchase", "count": {"gte": 2}},
    "window-shoppers": {
        "all": [{"event": "entry_view", "count": {"gte": 2}}, {"not": {"event": "purchase"}}]
    },
    "tent-category": {
        "event": "entry_view",
        "where": {"properties.category": ["tents", "stoves"]},
        "within": "7d",
    },
    "high-intent": {
        "all": [
            {"segment": "adults-30-45"},
            {"event": "entry_view", "where": {"entryId": "product-007"}, "within": "48h"},
        ]
    },
    "camping-buyers": {"all": [{"segment": "campers"}, {"segment": "buyers-30d"}]},
    "lapsed": {"all": [{"segment": "repeat-buyers"}, {"not": {"segment": "buyers-30d"}}]},
    "young-runners": {
        "all": [
            {"trait": "age", "op": "lt", "value": 30},
            {"trait": "interests", "op": "contains", "value": "running"},
        ]
    },
    "anyone-active": {"any": [{"segment": "viewers-48h"}, {"segment": "carts-7d"}]},
}


def _copy(conn: psycopg.Connection[Any], table: str, columns: str, rows: io.StringIO) -> None:
    rows.seek(0)
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := rows.read(1 << 20):
            copy.write(chunk)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def generate(url: str, profiles: int, seed: int = 7) -> int:
    """COPY ``profiles`` profiles and their events into the database; returns events."""
    rng = random.Random(seed)
    people, happenings = io.StringIO(), io.StringIO()
    stamp = NOW.isoformat()
    events = 0
    for n in range(profiles):
        profile_id = f"anon:b{n:07d}"
        traits: dict[str, Any] = {"age": rng.randint(16, 80), "city": rng.choice(CITIES)}
        traits["interests"] = rng.sample(INTERESTS, rng.randint(0, 3))
        if rng.random() < 0.6:
            traits["plan"] = rng.choice(["free", "pro"])
        people.write(
            f"{profile_id}\tb{n:07d}\t{_escape(json.dumps(traits))}\t{{}}\t{stamp}\t{stamp}\n"
        )
        for i in range(rng.choice([0, 1, 2, 3, 4, 5, 6])):
            kind = rng.choice(EVENT_TYPES)
            at = (NOW - timedelta(hours=rng.uniform(0, 24 * 60))).isoformat()
            category = rng.choice(["tents", "stoves", "shoes", "packs"])
            properties = json.dumps({"category": category})
            entry = rng.choice(PRODUCTS)
            happenings.write(
                f"{profile_id}-{i}\t{profile_id}\tb{n:07d}\t{kind}\t{at}\t{stamp}\t{entry}"
                f"\t{_escape(properties)}\t{{}}\n"
            )
            events += 1
    with psycopg.connect(url) as conn:
        _copy(
            conn, "profiles", "id, anonymous_id, traits, activity, created_at, updated_at", people
        )
        _copy(
            conn,
            "events",
            "id, viewer_id, anonymous_id, type, timestamp, received_at, entry_id, properties, "
            "context",
            happenings,
        )
        conn.execute("ANALYZE")
    return events


async def save_segments(services: Services) -> None:
    async with services.db.session() as session:
        for key, rule in SEGMENTS.items():
            await upsert_segment(session, key, key, rule)
    await services.segments_changed()


async def python_rate(services: Services, sample: int) -> float:
    """Profiles/s when facts are loaded into Python and `evaluate_segments` decides."""
    rules = {k: parse_rule(r) for k, r in SEGMENTS.items()}
    since = NOW - timedelta(days=services.settings.event_lookback_days)
    start = time.perf_counter()
    async with services.db.session() as session:
        rows = await session.execute(
            select(ProfileRow.id, ProfileRow.traits).order_by(ProfileRow.id).limit(sample)
        )
        people = {profile_id: traits for profile_id, traits in rows}
        found = await session.execute(
            select(
                EventRow.viewer_id,
                EventRow.type,
                EventRow.timestamp,
                EventRow.entry_id,
                EventRow.properties,
            ).where(EventRow.viewer_id.in_(list(people)), EventRow.timestamp >= since)
        )
        facts: dict[str, list[ViewerEvent]] = {p: [] for p in people}
        for viewer_id, kind, at, entry_id, properties in found:
            facts[viewer_id].append(ViewerEvent(kind, at, entry_id, properties))
    for profile_id, traits in people.items():
        evaluate_segments(rules, ViewerFacts(traits, facts[profile_id]), NOW)
    return len(people) / (time.perf_counter() - start)


async def run_backfill(services: Services, slice_size: int, workers: int) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await backfill(services, None, None, slice_size, workers)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--slice", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()
    say = (lambda *_: None) if args.json else print
    with postgres_server() as admin:
        url = admin.rsplit("/", 1)[0] + "/postgres"
        settings = Settings(database_url=url, secret="b" * 32)
        migrate(settings)
        started = time.perf_counter()
        events = generate(url.replace("postgresql+psycopg", "postgresql"), args.profiles)
        say(
            f"generated {args.profiles} profiles, {events} events in "
            f"{time.perf_counter() - started:.0f} s"
        )
        services = Services(settings, clock=lambda: NOW)

        async def measure() -> tuple[float, Any, float, float]:
            try:
                await save_segments(services)
                baseline = await python_rate(services, args.sample)
                seconds, result = await run_backfill(services, args.slice, args.workers)
                again, _ = await run_backfill(services, args.slice, args.workers)
                return seconds, result, baseline, again
            finally:
                await services.aclose()

        seconds, result, baseline, again = asyncio.run(measure())
    rate = result.profiles / seconds
    if args.json:
        figures = {
            "profiles_per_s": {
                "backfill": rate,
                "redecide": result.profiles / again,
                "python": baseline,
            },
            "ratio": rate / baseline,
            "memberships": result.entered,
        }
        sys.stdout.write(orjson.dumps(figures).decode() + "\n")
        return
    print(
        f"backfill: {result.profiles} profiles x {len(SEGMENTS)} segments in {seconds:.1f} s "
        f"({rate:,.0f} profiles/s), {result.entered:,} memberships"
    )
    print(
        f"re-decided with members stored (nothing moves): {again:.1f} s "
        f"({result.profiles / again:,.0f} profiles/s)"
    )
    print(f"python evaluation (baseline, {args.sample} profiles): {baseline:,.0f} profiles/s")
    print(f"ratio backfill/baseline: {rate / baseline:.2f}")


if __name__ == "__main__":
    main()
