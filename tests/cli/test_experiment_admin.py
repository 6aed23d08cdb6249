"""`veneer experiments apply`, `list`, `stop` and `results` against a real database.

Each command runs as the installed `veneer` program in its own process (`tests.program`).
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.program import Result, environment, veneer
from veneer.settings import Settings

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
