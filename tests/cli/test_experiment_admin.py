"""`veneer experiments apply`, `list`, `stop` and `results` against a real database.

Each command runs as the installed `veneer` program in its own process (`tests.program`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tests.program import Result, environment, veneer
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.experiments import record_exposures
from veneer.store.models import EventRow

ENV: dict[str, str] = {}
FILE = """
experiments:
  - key: pack-headline
    name: Pack headline copy
    metric: purchase
    guardrails: [cart_abandoned]
    start: 2026-01-01
"""


def run(args: list[str]) -> Result:
    return veneer(args, ENV)


@pytest.fixture
def cli(settings: Settings) -> Settings:
    ENV.clear()
    ENV.update(environment(settings))
    return settings


def test_apply_plans_then_writes_then_reads_back(cli: Settings, tmp_path: Path) -> None:
    path = tmp_path / "experiments.yaml"
    path.write_text(FILE)

    plan = run(["experiments", "apply", str(path), "--dry-run"])
    assert plan.exit_code == 0, plan.output
    assert "would add: pack-headline" in plan.stdout
    assert "dry run: nothing written" in plan.stdout
    assert "no experiments yet" in run(["experiments", "list"]).stdout

    applied = run(["experiments", "apply", str(path)])
    assert applied.exit_code == 0, applied.output
    assert "add: pack-headline" in applied.stdout
    listed = run(["experiments", "list"]).stdout
    assert "pack-headline" in listed and "running" in listed and "weekend-copy 0.5" in listed

    again = run(["experiments", "apply", str(path)])
    assert "unchanged: pack-headline" in again.stdout
    path.write_text(FILE.replace("metric: purchase", "metric: purchase.value"))
    assert "change: pack-headline" in run(["experiments", "apply", str(path)]).stdout

    results = run(["experiments", "results", "pack-headline", "--json"])
    assert results.exit_code == 0, results.output
    document = orjson.loads(results.stdout)
    assert document["metric"] == "mean" and document["sequential"] is True
    assert [a["arm"] for a in document["arms"]] == ["control", "weekend-copy"]
    assert document["decision"].startswith("not enough data yet")
    assert set(document["guardrails"]) == {"cart_abandoned"}

    stopped = run(["experiments", "stop", "pack-headline"])
    assert stopped.exit_code == 0 and "stopped: pack-headline" in stopped.stdout
    assert "stopped" in run(["experiments", "list"]).stdout


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("experiments:\n  - key: x\n", "experiments[0].metric: Field required"),
        (
            "experiments:\n  - {key: pack-headline, metric: purchase, trafficShare: 2}\n",
            "experiments[0].trafficShare: must be above 0 and at most 1",
        ),
        (
            "experiments:\n  - {key: a, metric: buy}\n  - {key: a, metric: buy}\n",
            "experiments[1].key: 'a' appears twice",
        ),
        ("experiments: [\n", "is not YAML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_item(
    cli: Settings, tmp_path: Path, text: str, says: str
) -> None:
    path = tmp_path / "experiments.yaml"
    path.write_text(text)
    result = run(["experiments", "apply", str(path)])
    assert result.exit_code == 2
    assert says in " ".join(result.output.split())


def test_unknown_experiments_are_named(cli: Settings) -> None:
    for command in (["stop", "nope"], ["results", "nope"]):
        result = run(["experiments", *command])
        assert result.exit_code == 2 and "no experiment 'nope'" in result.output


def _exposed(settings: Settings, days_ago: list[int]) -> None:
    """Viewers exposed (alternating arms) ``days_ago``, each odd one buying a day later."""

    async def work() -> None:
        services = Services(settings)
        now = datetime.now(UTC)
        try:
            async with services.db.session() as session:
                for n, ago in enumerate(days_ago):
                    viewer = f"anon:v{n}"
                    arm = ("control", "weekend-copy")[n % 2]
                    await record_exposures(session, viewer, {"pack-headline": arm},
                                           now - timedelta(days=ago))  # fmt: skip
                    if n % 4 == 1:
                        session.add(
                            EventRow(id=f"e{n}", viewer_id=viewer, type="purchase",
                                     timestamp=now - timedelta(days=ago - 1), received_at=now,
                                     properties={"value": 30.0}, context={})
                        )  # fmt: skip
        finally:
            await services.aclose()

    asyncio.run(work())


def test_report_draws_the_lift_day_by_day(cli: Settings, tmp_path: Path) -> None:
    path = tmp_path / "experiments.yaml"
    path.write_text(FILE)
    assert run(["experiments", "apply", str(path)]).exit_code == 0
    assert "nobody exposed yet" in run(["experiments", "report", "pack-headline"]).stdout
    _exposed(cli, [3] * 40 + [2] * 40)

    days = orjson.loads(run(["experiments", "report", "pack-headline", "--json"]).stdout)
    assert [sum(d["users"].values()) for d in days] == [40, 80, 80, 80]
    assert [d["conversions"]["weekend-copy"] for d in days] == [0, 10, 20, 20]
    assert days[-1]["comparisons"][0]["arm"] == "weekend-copy"

    chart = tmp_path / "lift.png"
    shown = run(["experiments", "report", "pack-headline", "--png", str(chart)])
    assert shown.exit_code == 0, shown.output
    assert "weekend-copy lift" in shown.stdout and f"chart: {chart}" in " ".join(
        shown.stdout.split()
    )
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_shoppers_are_enrolled_exposed_and_counted(cli: Settings, tmp_path: Path) -> None:
    path = tmp_path / "experiments.yaml"
    path.write_text(FILE)
    refused = run(["demo", "experiment", "pack-headline", "--viewers", "10"])
    assert refused.exit_code == 2 and "not in running experiment 'pack-headline'" in " ".join(
        refused.output.split()
    )
    assert run(["experiments", "apply", str(path)]).exit_code == 0

    sent = run(["demo", "experiment", "pack-headline", "--viewers", "60", "--rate", "0.5"])
    assert sent.exit_code == 0, sent.output
    told = dict(line.split(": ", 1) for line in sent.stdout.splitlines() if ": " in line)
    shown = {arm: int(text.split()[0]) for arm, text in told.items()}
    bought = {arm: int(text.split(", ")[1].split()[0]) for arm, text in told.items()}
    assert set(shown) == {"control", "weekend-copy"} and sum(shown.values()) == 60

    document = orjson.loads(run(["experiments", "results", "pack-headline", "--json"]).stdout)
    assert {a["arm"]: a["users"] for a in document["arms"]} == shown
    assert {a["arm"]: a["conversions"] for a in document["arms"]} == bought
