"""Insights pages with a month of a busy site's data, against the API read of the same kind.

Insights reads its figures with one query per figure and no caching, on the grounds that a few
people open it now and then; this checks that the pages stay fast once the tables are full.
A SQLite database gets 30 days of data (volumes below, scaled by ``--scale``): segments with
members and their daily entries and exits, consent records, events (views, impressions,
add-to-carts, purchases), trigger offers, two experiments' exposures, event-quality and
personalization counts, and the audit log. Definitions and the secret key go through
Veneer's own jobs and store; the volume tables are bulk-inserted through its models, since
sending 200,000 events through the API would time the ingest, not the pages.

Veneer then runs under uvicorn (one worker, 127.0.0.1); the client signs in to Insights with
the secret key, as a browser does, and requests every page in turn, round after round, so a
busy moment on the machine falls on all of them alike. The baseline, measured in the same
rounds, is the nearest API read: the segments' sizes and 14-day trends over GraphQL with the
same key (``SEGMENTS`` below), the figures the segments page draws.
Run: ``python -m bench.insights_pages [--requests 20] [--scale 1.0] [--json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import create_engine, insert

from bench.servers import uvicorn_server, veneer_env
from tests.web.insights.signing import form_token
from veneer.consent import Purpose
from veneer.experiments.definition import ArmSpec, Draft
from veneer.identity.keys import KeyKind
from veneer.jobs import experiments as experiment_jobs
from veneer.jobs.trigger_files import apply_triggers
from veneer.recommend.strategies import PopularInSegments, SimilarToHistory
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.engine import sync_url
from veneer.store.keys import create_key
from veneer.store.migrate import migrate
from veneer.store.models import (
    AuditRow,
    Base,
    ConsentRecordRow,
    EventRow,
    ExposureRow,
    PersonalizationCountRow,
    QualityCountRow,
    RecommendationModelRow,
    SegmentChangeRow,
    SegmentMemberRow,
    SegmentSizeRow,
    TriggerOfferRow,
)
from veneer.store.segments import mark_decided, upsert_segment
from veneer.triggers.definition import parse_trigger
from veneer.variants.coverage import Reason

SECRET = "insights-bench-signing-secret-0123456789abcdef"
DAYS = 30
PAGES = (
    "/insights",
    "/insights/segments",
    "/insights/experiments",
    "/insights/recommendations",
    "/insights/triggers",
    "/insights/quality",
    "/insights/consent",
    "/insights/coverage",
    "/insights/audit",
)
SEGMENTS = "{ segments { key size trend(days: 14) { day entered left size } } }"
BASELINE = "graphql segments"
WARM_UP = 3  # requests per target before any is timed: first statements are compiled then
# Each page reads nothing cached, but the app's upkeep would train models, re-decide segments
# and derive carts from the seeded data while pages are timed; it is held off, so the figures
# are the pages' own.
QUIET = {
    "recommend_train_interval": "0",
    "propensity_events": "",
    "segment_decide_interval": "86400",
    "segment_sweep_interval": "86400",
    "cart_check_interval": "86400",
    "recommend_popularity_interval": "86400",
}

# Twenty segments, as a shop's marketers write them; the holdouts make the segments page
# validate each of those segments against its holdout on every request.
SEGMENT_RULES: dict[str, dict[str, Any]] = {
    "adults-30-45": {"trait": "age", "op": "between", "value": [30, 45]},
    "seniors": {"trait": "age", "op": "gte", "value": 65},
    "lyon": {"trait": "city", "op": "eq", "value": "Lyon"},
    "nordic": {"trait": "city", "op": "in", "value": ["Oslo", "Bergen"]},
    "campers": {"trait": "interests", "op": "contains", "value": "camping"},
    "climbers": {"trait": "interests", "op": "contains", "value": "climbing"},
    "runners": {"trait": "interests", "op": "contains", "value": "running"},
    "pro-plan": {"trait": "plan", "op": "eq", "value": "pro"},
    "no-plan": {"trait": "plan", "op": "exists", "value": False},
    "viewers-48h": {"event": "entry_view", "within": "48h"},
    "keen-on-tents": {
        "event": "entry_view",
        "where": {"entryId": "tent-x2"},
        "count": {"gte": 2},
        "within": "30d",
    },
    "carts-7d": {"event": "add_to_cart", "within": "7d"},
    "buyers-30d": {"event": "purchase", "within": "30d"},
    "repeat-buyers": {"event": "purchase", "count": {"gte": 2}},
    "window-shoppers": {
        "all": [{"event": "entry_view", "count": {"gte": 3}}, {"not": {"event": "purchase"}}]
    },
    "camping-buyers": {"all": [{"segment": "campers"}, {"segment": "buyers-30d"}]},
    "lapsed": {"all": [{"segment": "repeat-buyers"}, {"not": {"segment": "buyers-30d"}}]},
    "young-runners": {"all": [{"trait": "age", "op": "lt", "value": 30}, {"segment": "runners"}]},
    "anyone-active": {"any": [{"segment": "viewers-48h"}, {"segment": "carts-7d"}]},
    "stove-lookers": {
        "event": "entry_view",
        "where": {"entryId": "emberline-canister-stove"},
        "within": "14d",
    },
}
HELD_OUT = {"campers", "climbers", "runners", "buyers-30d", "window-shoppers", "lapsed"}
TRIGGERS: list[dict[str, Any]] = [
    {
        "key": "cart-reminder",
        "when": {"event": "cart_abandoned", "count": {"gte": 1}, "within": "7d"},
        "offer": {"placement": "cart", "entry": "kettle-pot-set", "params": {"code": "BACK10"}},
        "caps": {"perDay": 1, "perWeek": 2},
        "priority": 10,
    },
    {
        "key": "tent-upsell",
        "page": {"timeOnPage": {"gte": 120}, "contentType": "product"},
        "offer": {"placement": "product", "entry": "basecamp-55-pack", "params": {"off": 15}},
        "priority": 5,
    },
    {
        "key": "stove-bundle",
        "when": {
            "event": "entry_view",
            "where": {"entryId": "emberline-canister-stove"},
            "count": {"gte": 3},
            "within": "7d",
        },
        "offer": {"placement": "product", "entry": "kettle-pot-set", "params": {"off": 10}},
        "caps": {"perDay": 1},
        "priority": 7,
    },
    {
        "key": "win-back",
        "when": {"event": "purchase", "count": {"gte": 2}, "within": "30d"},
        "offer": {"placement": "home", "entry": "summit-lite-1-tent", "params": {"off": 20}},
        "caps": {"perWeek": 1},
        "priority": 3,
    },
    {
        "key": "browse-nudge",
        "when": {"event": "entry_view", "count": {"gte": 5}, "within": "1d"},
        "offer": {"placement": "home", "entry": "switchback-28-daypack", "params": {}},
        "caps": {"perDay": 2},
        "priority": 1,
    },
]
EVENT_MIX = (("entry_view", 0.48), ("impression", 0.40), ("add_to_cart", 0.08), ("purchase", 0.04))


@dataclass(frozen=True)
class Volumes:
    """What is seeded: rows per table (``segment_changes`` and audit rows of the definitions
    saved through Veneer come on top)."""

    viewers: int
    segment_members: int
    consent_records: int
    events: int
    trigger_offers: int
    exposures: int
    audit_rows: int

    @classmethod
    def scaled(cls, scale: float) -> Volumes:
        def n(base: int) -> int:
            return max(1, round(base * scale))

        return cls(
            viewers=n(20_000),
            segment_members=n(60_000),
            consent_records=n(50_000),
            events=n(200_000),
            trigger_offers=n(20_000),
            exposures=n(10_000),
            audit_rows=n(2_000),
        )


async def define(settings: Settings, now: datetime) -> tuple[str, list[str]]:
    """Save the definitions through Veneer's own jobs and store, as an editor's changes would
    be, and create the secret key; returns the key and the catalogue's entry ids."""
    services = Services(settings, clock=lambda: now)
    try:
        async with services.db.session() as session:
            plain, _ = await create_key(session, KeyKind.SECRET, "insights bench")
            for key, rule in SEGMENT_RULES.items():
                name = key.replace("-", " ").capitalize()
                await upsert_segment(session, key, name, rule, 0.1 if key in HELD_OUT else 0.0)
            # Their members are bulk-inserted by `seed`: nothing is left for a backfill to do.
            await mark_decided(session, list(SEGMENT_RULES), now + timedelta(seconds=1))
        await services.segments_changed()
        await apply_triggers(services, [parse_trigger(t) for t in TRIGGERS], dry_run=False)
        start = now - timedelta(days=DAYS)
        await experiment_jobs.save(
            services, Draft(key="pack-headline", metric="purchase", start=start)
        )  # its arms: the variants the CMS tags with it
        await experiment_jobs.save(
            services,
            Draft(
                key="stove-copy",
                metric="add_to_cart",
                arms=[ArmSpec("control", 0.5, True), ArmSpec("warmer-copy", 0.5)],
                guardrails=["purchase"],
                start=start,
            ),
        )
        entries = sorted({entry.id for entry in await services.catalogue.entries()})
    finally:
        await services.aclose()
    return plain, entries


def _chunks(rows: Iterator[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    """Rows in slices of ``size``, so a table's 200,000 rows are never all held at once."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Seeder:
    """The volume tables, drawn from one seeded generator so every run stores the same data."""

    def __init__(self, volumes: Volumes, entries: Sequence[str], now: datetime, seed: int = 7):
        self.volumes, self.now = volumes, now
        self.rng = random.Random(seed)
        self.viewers = [f"anon:v{n:06d}" for n in range(volumes.viewers)]
        # A long tail: the busiest viewers send a few hundred events a month, most a handful;
        # a few entries get most of the traffic. Cumulative weights: a draw is a bisection.
        self.viewer_weights = list(accumulate(1 / (n + 200) for n in range(volumes.viewers)))
        self.entries = list(entries)
        self.entry_weights = list(accumulate(1 / (n + 1) for n in range(len(self.entries))))

    def viewer(self) -> str:
        return self.rng.choices(self.viewers, cum_weights=self.viewer_weights)[0]

    def moment(self, days: float = DAYS) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(0, days * 86_400))

    def events(self) -> Iterator[dict[str, Any]]:
        kinds = [kind for kind, _ in EVENT_MIX]
        weights = [share for _, share in EVENT_MIX]
        for n in range(self.volumes.events):
            kind = self.rng.choices(kinds, weights)[0]
            viewer = self.viewer()
            at = self.moment()
            properties: dict[str, Any] = {}
            if kind == "purchase":
                properties = {"value": round(self.rng.uniform(15, 400), 2), "currency": "EUR"}
            yield {
                "id": f"e{n:07d}",
                "viewer_id": viewer,
                "anonymous_id": viewer.removeprefix("anon:"),
                "user_id": None,
                "type": kind,
                "timestamp": at,
                "received_at": at,
                "entry_id": self.rng.choices(self.entries, cum_weights=self.entry_weights)[0],
                "properties": properties,
                "context": {"url": "https://shop.example/"},
            }

    def consent(self) -> Iterator[dict[str, Any]]:
        """Each viewer's answer to the banner (two purposes), then changes of mind, the
        busiest viewers' most often, until the volume is reached."""
        left = self.volumes.consent_records
        for viewer in self.viewers:
            gpc = self.rng.random() < 0.05
            at = self.moment()
            for purpose in (Purpose.ANALYTICS, Purpose.PERSONALIZATION):
                if left == 0:
                    return
                yield self._decision(viewer, purpose, not gpc and self.rng.random() < 0.8, gpc, at)
                left -= 1
        for _ in range(left):
            purpose = self.rng.choice([Purpose.PERSONALIZATION, Purpose.RECOMMENDATIONS])
            granted = self.rng.random() < 0.5
            yield self._decision(self.viewer(), purpose, granted, False, self.moment())

    @staticmethod
    def _decision(
        viewer: str, purpose: Purpose, granted: bool, gpc: bool, at: datetime
    ) -> dict[str, Any]:
        return {
            "viewer_id": viewer,
            "purpose": purpose.value,
            "granted": granted,
            "source": "banner",
            "policy_version": "2026-10",
            "gpc": gpc,
            "recorded_at": at,
        }

    def memberships(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
        """Members, their entries (and earlier members' exits) day by day, and the sizes."""
        keys = list(SEGMENT_RULES)
        shares = [self.rng.uniform(0.2, 1.8) for _ in keys]
        total = sum(shares)
        members, changes, sizes = [], [], {}
        for key, share in zip(keys, shares, strict=True):
            size = min(len(self.viewers), round(self.volumes.segment_members * share / total))
            chosen = self.rng.sample(self.viewers, size)
            sizes[key] = size
            for viewer in chosen:
                since = self.moment(DAYS * 2)  # half joined before the month
                members.append({"profile_id": viewer, "segment_key": key, "since": since})
                changes.append(
                    {"segment_key": key, "profile_id": viewer, "change": "entered", "at": since}
                )
            for viewer in self.rng.sample(self.viewers, size // 8):  # came and went
                entered = self.moment()
                left = entered + (self.now - entered) * self.rng.random()
                for change, at in (("entered", entered), ("left", left)):
                    changes.append(
                        {"segment_key": key, "profile_id": viewer, "change": change, "at": at}
                    )
        return members, changes, sizes

    def offers(self) -> Iterator[dict[str, Any]]:
        keys = [t["key"] for t in TRIGGERS]
        placements = {t["key"]: t["offer"]["placement"] for t in TRIGGERS}
        for _ in range(self.volumes.trigger_offers):
            key = self.rng.choices(keys, [5, 3, 2, 1, 4])[0]
            created = self.moment()
            state = self.rng.choices(["served", "due", "dismissed"], [7, 2, 1])[0]
            served = created + timedelta(minutes=self.rng.uniform(0, 90))
            yield {
                "viewer_id": self.viewer(),
                "trigger_key": key,
                "placement": placements[key],
                "state": state,
                "reason": f"{key}: its rule matched the viewer's recent events",
                "created_at": created,
                "served_at": served if state == "served" else None,
                "dismissed_at": served if state == "dismissed" else None,
            }

    def exposures(self) -> Iterator[dict[str, Any]]:
        arms = {
            "pack-headline": ["control", "weekend-copy"],
            "stove-copy": ["control", "warmer-copy"],
        }
        per = self.volumes.exposures // len(arms)
        for key, names in arms.items():
            for viewer in self.rng.sample(self.viewers, min(per, len(self.viewers))):
                yield {
                    "experiment": key,
                    "viewer_id": viewer,
                    "arm": self.rng.choice(names),
                    "exposed_at": self.moment(DAYS - 2),
                }

    def quality(self) -> Iterator[dict[str, Any]]:
        metrics = ("received", "accepted", "duplicate", "late", "no_consent", "null:entryId")
        for back in range(DAYS):
            day = (self.now - timedelta(days=back)).date()
            for source in ("key:2 (web)", "key:3 (app)"):
                for kind, share in EVENT_MIX:
                    received = int(self.volumes.events * share / DAYS / 2)
                    for metric in metrics:
                        part = 1.0 if metric in ("received", "accepted") else 0.02
                        count = int(received * part * self.rng.uniform(0.5, 1.0))
                        yield {
                            "day": day,
                            "source": source,
                            "event_type": kind,
                            "metric": metric,
                            "count": count,
                        }
                    yield {
                        "day": day,
                        "source": source,
                        "event_type": kind,
                        "metric": "rejected:invalid_type",
                        "count": self.rng.randint(0, received // 20 + 1),
                    }

    def personalization(self) -> Iterator[dict[str, Any]]:
        """Entries served per day by reason, and by the strategy that picked them where one
        did (what the coverage and recommendations pages read)."""
        picked_by = {
            Reason.RECOMMENDED: [SimilarToHistory.name, PopularInSegments.name, "EASE+LightFM:v4"],
            Reason.OFFER: [f"trigger:{t['key']}" for t in TRIGGERS],
            Reason.FALLBACK: ["popular", "new", "pinned"],
        }
        for back in range(DAYS):
            day = (self.now - timedelta(days=back)).date()
            for reason in Reason:
                for strategy in picked_by.get(reason, [""]):
                    count = self.rng.randint(500, 20_000)
                    yield {"day": day, "reason": reason.value, "strategy": strategy, "count": count}

    def models(self) -> Iterator[dict[str, Any]]:
        """A few trained versions, none serving (a champion would need its artifact)."""
        for version in range(1, 5):
            created = self.now - timedelta(days=7 * (5 - version))
            yield {
                "version": version,
                "recipe": "EASE+LightFM",
                "status": "retired" if version < 4 else "candidate",
                "created_at": created,
                "metrics": {
                    "chosen": {"precision@10": 0.30 + version / 100, "ndcg@10": 0.36},
                    "drift": {"drifted": False, "at": created.isoformat()},
                },
                "params": {},
                "data_window": {"days": 90},
                "decision": f"v{version}: held to the champion's precision@10",
            }

    def audit(self) -> Iterator[dict[str, Any]]:
        actions = [
            ("segment.saved", list(SEGMENT_RULES)),
            ("trigger.saved", [t["key"] for t in TRIGGERS]),
            ("experiment.saved", ["pack-headline", "stove-copy"]),
            ("key.created", ["4", "5", "6"]),
        ]
        moments = sorted(self.moment(DAYS * 3) for _ in range(self.volumes.audit_rows))
        for at in moments:
            action, subjects = self.rng.choice(actions)
            yield {
                "at": at,
                "actor": self.rng.choice(["key:1 (ops)", "insights:key:1 (marketing)"]),
                "action": action,
                "subject": self.rng.choice(subjects),
                "details": {"name": "as saved", "holdout": 0.1},
            }


def seed(url: str, volumes: Volumes, entries: Sequence[str], now: datetime) -> None:
    """Bulk-insert the volume tables through Veneer's models, in one transaction."""
    seeder = Seeder(volumes, entries, now)
    members, changes, sizes = seeder.memberships()
    tables: list[tuple[type[Base], Callable[[], Iterator[dict[str, Any]]]]] = [
        (EventRow, seeder.events),
        (ConsentRecordRow, seeder.consent),
        (SegmentMemberRow, lambda: iter(members)),
        (SegmentChangeRow, lambda: iter(changes)),
        (SegmentSizeRow, lambda: ({"segment_key": k, "size": n} for k, n in sizes.items())),
        (TriggerOfferRow, seeder.offers),
        (ExposureRow, seeder.exposures),
        (QualityCountRow, seeder.quality),
        (PersonalizationCountRow, seeder.personalization),
        (RecommendationModelRow, seeder.models),
        (AuditRow, seeder.audit),
    ]
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            for table, rows in tables:
                for batch in _chunks(rows()):
                    conn.execute(insert(table), batch)
    finally:
        engine.dispose()


def sign_in(client: httpx.Client, key: str) -> None:
    """Sign in as a browser does: read the form for its token, post the key with it."""
    form = client.get("/insights/sign-in")
    form.raise_for_status()
    answer = client.post(
        "/insights/sign-in",
        data={"key": key, "csrf": form_token(form.text), "next": "/insights"},
    )
    assert answer.status_code == 303, answer.text


# What each page shows once it draws the seeded data (checked during the warm-up), so an
# empty page, which would be fast for the wrong reason, fails the run instead.
SHOWS = {
    "/insights": 'data-figure="running"',
    "/insights/segments": 'data-segment="campers"',
    "/insights/experiments": 'data-arm="weekend-copy"',
    "/insights/recommendations": 'data-version="4"',
    "/insights/triggers": 'data-trigger="cart-reminder"',
    "/insights/quality": 'data-event-type="purchase"',
    "/insights/consent": 'data-purpose="PERSONALIZATION"',
    "/insights/coverage": 'data-entry="basecamp-55-pack"',
    "/insights/audit": 'data-subject="',
}


def _request(client: httpx.Client, target: str, key: str) -> httpx.Response:
    if target == BASELINE:
        bearer = {"Authorization": f"Bearer {key}"}
        answer = client.post("/graphql", json={"query": SEGMENTS}, headers=bearer)
    else:
        answer = client.get(target)  # a 303 would be the sign-in form: signed out
    assert answer.status_code == 200, (target, answer.status_code)
    return answer


def _check(target: str, answer: httpx.Response) -> None:
    if target == BASELINE:
        body = answer.json()
        assert "errors" not in body, body
        assert len(body["data"]["segments"]) == len(SEGMENT_RULES), body
    else:
        assert SHOWS[target] in answer.text, f"{target} does not show {SHOWS[target]}"


def measure(base: str, key: str, requests: int) -> dict[str, list[float]]:
    """Milliseconds per request for every target, after a warm-up. The targets take turns,
    one request each per round, so a busy moment on the machine falls on all of them."""
    targets = [BASELINE, *PAGES]
    timings: dict[str, list[float]] = {t: [] for t in targets}
    with httpx.Client(base_url=base, timeout=60) as client:
        sign_in(client, key)
        for _ in range(WARM_UP):
            for target in targets:
                _check(target, _request(client, target, key))
        gc.collect()
        gc.disable()  # a pause of the client is not the server's time
        try:
            for _ in range(requests):
                for target in targets:
                    start = time.perf_counter()
                    _request(client, target, key)
                    timings[target].append((time.perf_counter() - start) * 1000)
        finally:
            gc.enable()
    return timings


def summary(samples: list[float]) -> dict[str, float]:
    """Median and p95: the p95 shows a page that is slow now and then, which the median hides."""
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": statistics.quantiles(samples, n=20, method="inclusive")[18],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every volume")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()
    say = (lambda *_: None) if args.json else print
    volumes = Volumes.scaled(args.scale)
    with tempfile.TemporaryDirectory(prefix="veneer-bench-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'insights.db'}"
        settings = Settings(database_url=url, secret=SECRET)
        now = datetime.now(UTC)
        started = time.perf_counter()
        migrate(settings)
        key, entries = asyncio.run(define(settings, now))
        seed(settings.database_url, volumes, entries, now)
        seeded = time.perf_counter() - started
        counts = ", ".join(f"{v:,} {k}" for k, v in asdict(volumes).items())
        say(f"seeded in {seeded:.0f} s: {counts}")
        env = veneer_env(database_url=url, secret=SECRET, **QUIET)
        with uvicorn_server("veneer.app:create_app", env, factory=True) as base:
            timings = measure(base, key, args.requests)
    baseline = summary(timings[BASELINE])
    pages = {}
    for page in PAGES:
        figures = summary(timings[page])
        pages[page] = {**figures, "ratio": figures["median_ms"] / baseline["median_ms"]}
    if args.json:
        result = {
            "volumes": asdict(volumes),
            "seed_s": seeded,
            "requests": args.requests,
            "baseline": baseline,
            "pages": pages,
        }
        sys.stdout.write(orjson.dumps(result).decode() + "\n")
        return
    print(f"{'request':<28} {'median ms':>10} {'p95 ms':>8} {'x baseline':>11}")
    print(f"{BASELINE + ' (baseline)':<28} {baseline['median_ms']:10.1f} {baseline['p95_ms']:8.1f}")
    for page, figures in pages.items():
        print(
            f"{page:<28} {figures['median_ms']:10.1f} {figures['p95_ms']:8.1f} "
            f"{figures['ratio']:11.2f}"
        )


if __name__ == "__main__":
    main()
