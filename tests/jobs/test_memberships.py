"""Stored segment membership: kept live by events and traits, slid by time, backfilled."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, String, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql, settle
from tests.random_segments import NOW, live_members, random_profiles, random_rule, seed
from veneer.app import create_app
from veneer.backends.leases import only_one
from veneer.cli import app as cli
from veneer.identity.viewer import Viewer
from veneer.jobs import people
from veneer.jobs.memberships import backfill, decide_changed_segments, sweep
from veneer.segments.rules import parse_rule
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import Database, memberships
from veneer.store.migrate import migrate
from veneer.store.models import ProfileRow, SegmentChangeRow, SegmentMemberRow
from veneer.store.segment_sizes import add_to_sizes
from veneer.store.segment_sql import Clock as SqlClock
from veneer.store.segments import upsert_segment

UPSERT = """mutation($key: String!, $rule: JSON!) {
  upsertSegment(key: $key, name: "n", rule: $rule) { key } }"""
TRACK = "mutation($e: [EventInput!]!) { track(events: $e) { accepted rejected { message } } }"
GRANT = "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) { purpose } }"
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"
SIZES = "{ segments { key size trend(days: 3) { day entered left size } } }"
BUYERS = {"event": "purchase", "count": {"gte": 2}, "within": "48h"}
ADULTS = {"trait": "age", "op": "gte", "value": 18}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(both_caches: Settings, clock: Clock) -> Services:
    quiet = {  # housekeeping must not decide behind the tests' backs
        "viewer_cache_ttl": 0,
        "segment_decide_interval": 3600,
        "segment_sweep_interval": 3600,
    }
    return Services(both_caches.model_copy(update=quiet), clock=clock)


@pytest.fixture
def app(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=services), base_url="http://127.0.0.1") as client:
        yield client


def _in_app(client: TestClient, call: Any, *args: Any) -> Any:
    """Run ``call`` on the app's own event loop, where its database pool lives."""
    assert client.portal is not None
    return client.portal.call(call, *args)


def _sizes(client: TestClient, keys: Keys) -> dict[str, Any]:
    return {s["key"]: s for s in data(gql(client, SIZES, key=keys.secret))["segments"]}


def _buy(client: TestClient, keys: Keys, viewer: str, ids: list[str], at: datetime) -> None:
    events = [
        {
            "id": i,
            "type": "purchase",
            "timestamp": at.isoformat(),
            "properties": {"value": 20, "currency": "EUR"},
        }
        for i in ids
    ]
    result = data(gql(client, TRACK, {"e": events}, key=keys.public, anonymous_id=viewer))
    assert result["track"] == {"accepted": len(ids), "rejected": []}
    settle(client)  # with Redis, the worker applies them


def test_events_and_traits_keep_sizes_live_and_time_moves_people_out(
    app: TestClient, keys: Keys, clock: Clock, services: Services
) -> None:
    data(gql(app, UPSERT, {"key": "buyers", "rule": BUYERS}, key=keys.secret))
    data(gql(app, UPSERT, {"key": "adults", "rule": ADULTS}, key=keys.secret))
    for viewer in ("ann", "bob"):
        data(gql(app, GRANT, key=keys.public, anonymous_id=viewer))

    _buy(app, keys, "ann", ["a1"], clock.now)
    assert _sizes(app, keys)["buyers"]["size"] == 0
    _buy(app, keys, "ann", ["a2"], clock.now)
    _buy(app, keys, "bob", ["b1", "b2", "b3"], clock.now)
    data(gql(app, IDENTIFY, {"t": {"age": 34}}, key=keys.public, anonymous_id="ann"))

    today = _sizes(app, keys)
    assert today["buyers"]["size"] == 2 and today["adults"]["size"] == 1
    assert today["buyers"]["trend"][-1] == {
        "day": "2026-11-26",
        "entered": 2,
        "left": 0,
        "size": 2,
    }
    assert today["buyers"]["trend"][0]["size"] == 0, "nobody was in it two days ago"

    clock.now += timedelta(days=3)
    assert _in_app(app, _sweep, services) == (0, 2)
    later = _sizes(app, keys)["buyers"]
    assert later["size"] == 0, "windows are measured from now: the purchases slid out"
    assert later["trend"][-1]["left"] == 2 and later["trend"][0]["size"] == 2


async def _sweep(services: Services) -> tuple[int, int]:
    result = await sweep(services)
    return result.entered, result.left


def test_preview_before_saving(app: TestClient, keys: Keys, clock: Clock) -> None:
    for viewer, age in (("ann", 34), ("bob", 12), ("cy", 51)):
        data(gql(app, GRANT, key=keys.public, anonymous_id=viewer))
        data(gql(app, IDENTIFY, {"t": {"age": age}}, key=keys.public, anonymous_id=viewer))
    query = "query($r: JSON!) { segmentPreview(rule: $r) { size profiles sample } }"

    found = data(gql(app, query, {"r": ADULTS}, key=keys.secret))["segmentPreview"]
    unknown = gql(app, query, {"r": {"segment": "vips"}}, key=keys.secret)
    bad_window = gql(app, query, {"r": {**BUYERS, "within": "2 days"}}, key=keys.secret)
    public = gql(app, query, {"r": ADULTS}, key=keys.public)

    assert found == {"size": 2, "profiles": 3, "sample": ["anon:ann", "anon:cy"]}
    assert error_messages(unknown) == ["rule: refers to unknown segment(s): vips"]
    assert error_messages(bad_window)[0].startswith("rule: $.within: window must look like")
    assert public["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def _seed_profiles(services: Services, n: int) -> None:
    async with services.db.session() as session:
        for i in range(n):
            traits = {"age": 10 + i} if i % 4 else {}
            session.add(ProfileRow(id=f"a:p{i:03d}", anonymous_id=f"p{i:03d}", traits=traits))


async def _corrupt_size(services: Services, key: str) -> None:
    """What two processes counting the same entry at once would leave behind."""
    async with services.db.session() as session:
        await add_to_sizes(session, {key: 1})


async def _named_in_history(services: Services) -> set[str | None]:
    async with services.db.session() as session:
        named = SegmentChangeRow.profile_id.is_not(None)
        return set(await session.scalars(select(SegmentChangeRow.profile_id).where(named)))


async def _stored(services: Services, key: str) -> set[str]:
    async with services.db.session() as session:
        rows = await session.scalars(
            SegmentMemberRow.__table__.select()
            .with_only_columns(SegmentMemberRow.profile_id)
            .where(SegmentMemberRow.segment_key == key)
        )
        return set(rows)


def test_a_login_moves_the_devices_memberships_to_the_user(
    app: TestClient, keys: Keys, services: Services
) -> None:
    """The device's profile is gone after the merge; its memberships must not outlive it."""
    data(gql(app, UPSERT, {"key": "adults", "rule": ADULTS}, key=keys.secret))
    data(gql(app, IDENTIFY, {"t": {"age": 40}}, key=keys.public, anonymous_id="ann"))
    assert _in_app(app, _stored, services, "adults") == {"anon:ann"}

    login = {"X-Veneer-User-Id": "ann-42"}
    data(gql(app, "{ viewer { id } }", key=keys.secret, anonymous_id="ann", **login))
    assert _in_app(app, _stored, services, "adults") == {"user:ann-42"}
    assert _sizes(app, keys)["adults"]["size"] == 1


def test_backfill_in_slices_matches_a_preview_and_is_idempotent(
    app: TestClient, keys: Keys, services: Services
) -> None:
    _in_app(app, _seed_profiles, services, 50)
    data(gql(app, UPSERT, {"key": "adults", "rule": ADULTS}, key=keys.secret))
    seen: list[tuple[int, int]] = []

    first = _in_app(app, backfill, services, ["adults"], lambda d, t: seen.append((d, t)), 7)
    again = _in_app(app, backfill, services, ["adults"], None, 7)

    expected = {f"a:p{i:03d}" for i in range(50) if i % 4 and 10 + i >= 18}
    assert _in_app(app, _stored, services, "adults") == expected
    query = "query($r: JSON!) { segmentPreview(rule: $r) { size } }"
    assert data(gql(app, query, {"r": ADULTS}, key=keys.secret))["segmentPreview"]["size"] == len(
        expected
    )
    assert (first.profiles, first.entered, first.left) == (50, len(expected), 0)
    assert (again.entered, again.left) == (0, 0), "nothing moved, nothing recorded"
    assert _sizes(app, keys)["adults"]["trend"][-1]["entered"] == len(expected)
    assert _in_app(app, _named_in_history, services) == set(), "a backfill's history is totals"
    _in_app(app, _corrupt_size, services, "adults")
    _in_app(app, backfill, services, ["adults"], None, 7)
    assert _sizes(app, keys)["adults"]["size"] == len(expected), "a backfill recounts"
    assert seen[-1] == (50, 50) and len(seen) == 8, "progress after each slice of 7"


def test_export_shows_and_erasure_takes_membership_and_its_history(
    app: TestClient, keys: Keys, services: Services, clock: Clock
) -> None:
    data(gql(app, UPSERT, {"key": "adults", "rule": ADULTS}, key=keys.secret))
    data(gql(app, GRANT, key=keys.public, anonymous_id="ann"))
    data(gql(app, IDENTIFY, {"t": {"age": 40}}, key=keys.public, anonymous_id="ann"))
    assert _sizes(app, keys)["adults"]["size"] == 1
    exported = _in_app(app, people.export, services, Viewer(anonymous_id="ann"))

    data(gql(app, "mutation { forgetViewer }", key=keys.public, anonymous_id="ann"))

    at = clock.now.isoformat()
    assert exported["segmentMemberships"] == [
        {"profileId": "anon:ann", "segment": "adults", "since": at}
    ]
    assert exported["segmentMoves"] == [
        {"profileId": "anon:ann", "segment": "adults", "change": "entered", "at": at}
    ]
    sizes = _sizes(app, keys)["adults"]
    assert sizes["size"] == 0 and sizes["trend"][-1]["entered"] == 0
    assert _in_app(app, people.export, services, Viewer(anonymous_id="ann"))["segmentMoves"] == []


def test_backfill_command(database_url: str, keys: Keys) -> None:
    env = {"VENEER_DATABASE_URL": database_url, "VENEER_SECRET": "s" * 32}
    runner = CliRunner()
    missing = runner.invoke(cli, ["segments", "backfill", "nope"], env=env)
    everything = runner.invoke(cli, ["segments", "backfill"], env=env)
    assert missing.exit_code == 2 and "no such segment: nope" in missing.output
    assert "existing segments: none yet" in " ".join(missing.output.split())
    assert everything.exit_code == 0 and "0 profiles decided" in everything.output


def test_backfilling_an_unknown_segment_lists_the_existing_ones(database_url: str) -> None:
    """A typo, or a key from a guide written for another database, gets the keys to use."""

    async def save() -> None:
        db = Database(Settings(database_url=database_url).database_url)
        try:
            async with db.session() as session:
                for key in ("campers", "adults"):
                    await upsert_segment(session, key, key.title(), ADULTS)
        finally:
            await db.dispose()

    asyncio.run(save())
    env = {"VENEER_DATABASE_URL": database_url, "VENEER_SECRET": "s" * 32}
    result = CliRunner().invoke(cli, ["segments", "backfill", "campers", "NO-SUCH"], env=env)
    assert result.exit_code == 2
    assert "no such segment: NO-SUCH; existing segments: adults, campers" in " ".join(
        result.output.split()
    )


def test_deleting_a_segment_drops_its_members(app: TestClient, keys: Keys) -> None:
    data(gql(app, UPSERT, {"key": "adults", "rule": ADULTS}, key=keys.secret))
    data(gql(app, GRANT, key=keys.public, anonymous_id="ann"))
    data(gql(app, IDENTIFY, {"t": {"age": 40}}, key=keys.public, anonymous_id="ann"))
    data(gql(app, 'mutation { deleteSegment(key: "adults") }', key=keys.secret))
    data(
        gql(
            app,
            UPSERT,
            {"key": "adults", "rule": {"trait": "age", "op": "lt", "value": 0}},
            key=keys.secret,
        )
    )
    assert _sizes(app, keys)["adults"]["size"] == 0, "no members left from the old rule"


def test_a_new_or_changed_rule_is_backfilled_by_housekeeping(
    app: TestClient, keys: Keys, services: Services
) -> None:
    _in_app(app, _seed_profiles, services, 20)
    assert _in_app(app, decide_changed_segments, services) == []
    data(gql(app, UPSERT, {"key": "adults", "rule": ADULTS}, key=keys.secret))
    assert _sizes(app, keys)["adults"]["size"] == 0, "saved, not yet decided"

    assert _in_app(app, decide_changed_segments, services) == ["adults"]
    adults = _sizes(app, keys)["adults"]["size"]
    assert adults == len([i for i in range(20) if i % 4 and 10 + i >= 18])
    assert _in_app(app, decide_changed_segments, services) == [], "decided; nothing due"

    teens = {"trait": "age", "op": "lt", "value": 20}
    data(gql(app, UPSERT, {"key": "adults", "rule": teens}, key=keys.secret))
    assert _in_app(app, decide_changed_segments, services) == ["adults"]
    after = _sizes(app, keys)["adults"]
    stayed = [i for i in range(20) if i % 4 and 18 <= 10 + i < 20]
    assert after["size"] == len([i for i in range(20) if i % 4 and i < 10])
    assert after["trend"][-1]["left"] == adults - len(stayed), "the re-decision left totals"


def test_a_member_added_meanwhile_does_not_fail_a_first_backfill(
    app: TestClient, keys: Keys, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_app(app, _seed_profiles, services, 12)
    data(gql(app, UPSERT, {"key": "adults", "rule": ADULTS}, key=keys.secret))
    _in_app(app, backfill, services, ["adults"], None, 100, 1, True)
    before = _in_app(app, _stored, services, "adults")

    async def nobody_stored(*args: Any) -> bool:  # as if another process added them after
        return False

    monkeypatch.setattr(memberships, "_any_stored", nobody_stored)
    again = _in_app(app, backfill, services, ["adults"])

    assert again.profiles == 12 and _in_app(app, _stored, services, "adults") == before
    assert _sizes(app, keys)["adults"]["size"] == len(before), "the backfill recounted"
    assert before == {f"a:p{i:03d}" for i in range(12) if i % 4 and 10 + i >= 18}


async def _save_rules(services: Services, rules: dict[str, dict[str, Any]]) -> None:
    async with services.db.session() as session:
        for key, rule in rules.items():
            await upsert_segment(session, key, key, rule)
    await services.segments_changed()


async def _all_stored(services: Services) -> dict[str, set[str]]:
    async with services.db.session() as session:
        rows = await session.execute(
            select(SegmentMemberRow.segment_key, SegmentMemberRow.profile_id)
        )
        found: dict[str, set[str]] = {}
        for key, profile_id in rows:
            found.setdefault(key, set()).add(profile_id)
        return found


def test_stored_membership_is_what_requests_decide(database_url: str) -> None:
    """Random rules over random profiles: a backfill (empty, then again after time moved and
    rules changed) stores exactly the members the live evaluation finds."""
    rng = random.Random(1127)
    made = random_profiles(rng)
    asyncio.run(seed(database_url, made))
    raw: dict[str, dict[str, Any]] = {}
    for n in range(12):
        raw[f"r{n:02d}"] = random_rule(rng, refs=tuple(raw))
    now = [NOW]
    settings = Settings(database_url=database_url, secret="s" * 32, event_lookback_days=90)
    services = Services(settings, clock=lambda: now[0])

    async def run() -> list[tuple[str, set[str], set[str]]]:
        try:
            await _save_rules(services, raw)
            await backfill(services, None, None, 9)  # eight slices of nine profiles
            differences = _compare(await _all_stored(services), raw, made, now[0])
            now[0] += timedelta(days=2, hours=5)  # windows slide; some rules change
            changed = {k: random_rule(rng) for k in list(raw)[:4]}
            raw.update(changed)
            await _save_rules(services, changed)
            await backfill(services, None, None, 9)
            return differences + _compare(await _all_stored(services), raw, made, now[0])
        finally:
            await services.aclose()

    differences = asyncio.run(run())
    assert not differences, differences[:3]


def _compare(
    stored: dict[str, set[str]], raw: dict[str, dict[str, Any]], made: Any, now: datetime
) -> list[tuple[str, set[str], set[str]]]:
    live = live_members({k: parse_rule(r) for k, r in raw.items()}, made, now)
    return [
        (key, stored.get(key, set()) - members, members - stored.get(key, set()))
        for key, members in live.items()
        if stored.get(key, set()) != members
    ]


def test_one_process_sweeps_at_a_time(redis_url: str, database_url: str, clock: Clock) -> None:
    """Workers share Redis; while one holds the sweep, the others skip it, and nothing is
    recorded twice."""
    settings = Settings(database_url=database_url, secret="s" * 32, redis_url=redis_url)
    one, other = Services(settings, clock=clock), Services(settings, clock=clock)

    async def run() -> tuple[Any, ...]:
        try:
            await _seed_profiles(one, 8)
            await _save_rules(one, {"recent": {"event": "purchase", "within": "48h"}})
            async with (
                only_one(one.redis, "segment-sweep") as sweeping,
                only_one(one.redis, "segment-decide") as deciding,
            ):
                skipped = await sweep(other)
                not_now = await decide_changed_segments(other)
            decided = await decide_changed_segments(other)
            swept = await sweep(other)
            return sweeping and deciding, skipped, not_now, decided, swept
        finally:
            await one.aclose()
            await other.aclose()

    held, skipped, not_now, decided, swept = asyncio.run(run())
    assert held and skipped is None and not_now == [], "the other process left both to the holder"
    assert decided == ["recent"], "released: the new segment is decided"
    assert swept is not None and swept.profiles == 8, "released: the next sweep runs"


def test_a_refresh_that_failed_midway_does_not_break_the_next_one(tmp_path: Path) -> None:
    """SQLite runs a transaction's leading DDL outside it: a scratch table left by a refresh
    that failed (another process held the lock) stayed on the pooled connection."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'veneer.db'}")
    migrate(settings)
    rules = {"adults": parse_rule(ADULTS)}
    clock = SqlClock(datetime(2026, 11, 26, tzinfo=UTC), timedelta(days=90))

    async def run() -> tuple[int, int]:
        db = Database(settings.database_url)
        try:
            with pytest.raises(RuntimeError):
                async with db.session() as session:
                    leftover = memberships._temporary(
                        memberships.DECIDED, Column("id", String(200), nullable=False)
                    )
                    await session.run_sync(lambda s: leftover.create(s.connection()))
                    raise RuntimeError("database is locked")
            async with db.session() as session:
                session.add(ProfileRow(id="anon:ann", anonymous_id="ann", traits={"age": 40}))
            async with db.session() as session:
                return await memberships.refresh_profiles(
                    session, rules, {"adults"}, clock, ["anon:ann"]
                )
        finally:
            await db.dispose()

    assert asyncio.run(run()) == (1, 0)
