"""`veneer demo traffic` on a real database: through Veneer's own paths, once per seed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from veneer.cli import app as cli
from veneer.cli.server import seed_demo_segments
from veneer.identity.viewer import profile_id
from veneer.jobs.traffic import TrafficReport, run_traffic
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.models import ConsentRecordRow, EventRow, ProfileRow, SegmentMemberRow
from veneer.store.segments import upsert_segment

VIEWERS, DAYS, SEED = 120, 14, 3
ANALYTICS = ("accept all", "no third parties", "analytics only")
HIGH_INTENT_TENT = {
    "all": [
        {"segment": "campers"},
        {
            "event": "entry_view",
            "where": {"entryId": "tent-x2"},
            "count": {"gte": 2},
            "within": "7d",
        },
    ]
}


async def _counts(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        async with db.session() as session:
            return {
                row.__tablename__: int(
                    await session.scalar(select(func.count()).select_from(row)) or 0
                )
                for row in (EventRow, ConsentRecordRow, ProfileRow, SegmentMemberRow)
            }
    finally:
        await db.dispose()


async def _event_owners(url: str) -> set[str]:
    db = Database(url)
    try:
        async with db.session() as session:
            return set(await session.scalars(select(EventRow.viewer_id).distinct()))
    finally:
        await db.dispose()


async def _save(settings: Settings, key: str, rule: dict[str, object]) -> None:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            await upsert_segment(session, key, key, rule)
    finally:
        await db.dispose()


def _env(url: str) -> dict[str, str]:
    return {"VENEER_DATABASE_URL": url, "VENEER_SECRET": "s" * 32}


def test_traffic_goes_through_consent_and_ingest_and_a_rerun_adds_nothing(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, content="sample")
    asyncio.run(seed_demo_segments(settings))
    report: TrafficReport = asyncio.run(run_traffic(settings, VIEWERS, DAYS, SEED))
    done = report.replayed

    assert done.rejected == [] and done.sent == done.stored + done.dropped
    assert done.stored > 0 and done.dropped > 0 and done.duplicates == 0
    owners = asyncio.run(_event_owners(settings.database_url))
    for visitor in report.visitors:
        ids = {profile_id(d, None) for d in visitor.devices}
        ids |= {profile_id(None, visitor.user_id)} if visitor.user_id else set()
        if visitor.consent in ANALYTICS:
            assert ids & owners, f"{visitor.consent} viewer {visitor.number} has no events"
        else:  # rejected, or never answered: acknowledged, never stored
            assert not ids & owners, f"{visitor.consent} viewer {visitor.number} has events"
    assert report.sizes["campers"] > 0 and report.sizes["premium"] > 0
    assert set(report.sizes) >= {"campers", "climbers", "trail-runners", "beginners"}
    before = asyncio.run(_counts(settings.database_url))

    again = CliRunner().invoke(
        cli,
        ["demo", "traffic", "--viewers", str(VIEWERS), "--days", str(DAYS), "--seed", str(SEED)],
        env=_env(database_url),
    )
    assert again.exit_code == 0, again.output
    said = " ".join(again.output.split())
    assert "; stored 0," in said and "duplicates 0" not in said
    assert "every event id was already there, so nothing was counted twice" in said
    # A login copies the device's consent to its user and the device keeps its own, so a
    # rerun drops exactly what the first run dropped, and the summary says nothing else.
    assert f"dropped for lack of ANALYTICS consent {done.dropped:,}," in said
    assert "moved the device's consent" not in said
    assert asyncio.run(_counts(settings.database_url)) == before

    out = tmp_path / "clusters"
    clustered = CliRunner().invoke(
        cli, ["segments", "cluster", "--output", str(out)], env=_env(database_url)
    )
    assert clustered.exit_code == 0, clustered.output
    found = json.loads((out / "report.json").read_text())
    assert found["k"] >= 2
    assert sum(c["size"] for c in found["clusters"]) == len(report.held)

    asyncio.run(_save(settings, "high-intent-tent", HIGH_INTENT_TENT))  # as the README does
    backfilled = CliRunner().invoke(
        cli, ["segments", "backfill", "high-intent-tent"], env=_env(database_url)
    )
    assert backfilled.exit_code == 0, backfilled.output
    assert int(backfilled.output.split(" entered")[0].rsplit(" ", 1)[-1]) > 0
    missing = CliRunner().invoke(cli, ["segments", "backfill", "NO-SUCH"], env=_env(database_url))
    assert missing.exit_code == 2
    assert (
        "no such segment: NO-SUCH; existing segments: beginners, campers, climbers, "
        "cold-climate, high-intent-tent, premium, trail-runners"
    ) in " ".join(missing.output.split())
