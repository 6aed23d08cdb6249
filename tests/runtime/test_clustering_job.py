"""`veneer segments cluster` over behaviour in the database: report, plot, adoptable rules."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from veneer.cli import app as cli
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.models import EventRow, ProfileRow, SegmentRow

BEHAVIOURS = [(20, 1, 0), (8, 5, 4), (12, 9, 0)]  # entry_view, add_to_cart, purchase
TYPES = ("entry_view", "add_to_cart", "purchase")


async def _shop(url: str, per_group: int) -> None:
    rng = np.random.default_rng(4)
    now = datetime.now(UTC)
    db = Database(Settings(database_url=url).database_url)
    try:
        async with db.session() as session:
            for group, means in enumerate(BEHAVIOURS):
                for n in range(per_group):
                    viewer = f"anon:g{group}-{n:03d}"
                    session.add(ProfileRow(id=viewer, anonymous_id=viewer[5:], traits={}))
                    for kind, mean in zip(TYPES, means, strict=True):
                        for i in range(int(rng.poisson(mean))):
                            session.add(
                                EventRow(
                                    id=f"{viewer}-{kind}-{i}",
                                    viewer_id=viewer,
                                    anonymous_id=viewer[5:],
                                    type=kind,
                                    timestamp=now - timedelta(days=float(rng.uniform(0, 25))),
                                    received_at=now,
                                    properties={"value": 10, "currency": "EUR"},
                                )
                            )
    finally:
        await db.dispose()


async def _saved(url: str) -> dict[str, dict[str, object]]:
    db = Database(Settings(database_url=url).database_url)
    try:
        async with db.session() as session:
            rows = await session.scalars(
                SegmentRow.__table__.select().with_only_columns(SegmentRow.key)
            )
            keys = list(rows)
            found = {}
            for key in keys:
                row = await session.get(SegmentRow, key)
                assert row is not None
                found[key] = {"name": row.name, "rule": row.rule}
            return found
    finally:
        await db.dispose()


def _cluster(url: str, *args: str):  # type: ignore[no-untyped-def]
    env = {"VENEER_DATABASE_URL": url, "VENEER_SECRET": "s" * 32}
    return CliRunner().invoke(cli, ["segments", "cluster", *args], env=env)


def test_cluster_reports_plots_and_saves_adoptable_segments(
    database_url: str, tmp_path: Path
) -> None:
    asyncio.run(_shop(database_url, 80))
    out = tmp_path / "report"
    result = _cluster(
        database_url, "--output", str(out), "--events", ",".join(TYPES), "--save", "found"
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["k"] == 3 and set(report["silhouette"]) >= {"2", "3", "4"}
    assert (out / "k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sum(c["size"] for c in report["clusters"]) == 240
    assert all(c["agreement"] >= 0.9 for c in report["clusters"])
    saved = asyncio.run(_saved(database_url))
    assert sorted(saved) == ["found-0", "found-1", "found-2"]
    assert {s["name"] for s in saved.values()} == {c["name"] for c in report["clusters"]}


def test_too_little_behaviour_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    asyncio.run(_shop(database_url, 5))
    result = _cluster(database_url, "--output", str(tmp_path))
    assert result.exit_code == 2
    assert "clustering needs at least 50 profiles with activity, found 15" in " ".join(
        result.output.split()
    )
    bad_window = _cluster(database_url, "--within", "a while")
    assert bad_window.exit_code == 2 and "window must look like" in bad_window.output
