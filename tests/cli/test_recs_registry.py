"""`veneer recs train`, `models`, `promote` and `rollback` against a real database.

Each command runs as the installed `veneer` program in its own process (`tests.program`).
"""

from __future__ import annotations

import asyncio

import orjson
import pytest

from tests.jobs.recs_shop import shop
from tests.program import Result, environment, veneer
from veneer.services import Services
from veneer.settings import Settings

ENV: dict[str, str] = {}


def run(args: list[str]) -> Result:
    """``veneer ARGS`` against the test's database."""
    return veneer(args, ENV)


@pytest.fixture
def cli(settings: Settings) -> Settings:
    ENV.clear()
    ENV.update(environment(settings))
    return settings


def _shop(settings: Settings) -> None:
    async def main() -> None:
        services = Services(settings)
        try:
            await shop(services, end=services.clock())
        finally:
            await services.aclose()

    asyncio.run(main())


def test_train_models_promote_and_rollback(cli: Settings) -> None:
    _shop(cli)
    first = run(["recs", "train", "--json"])
    assert first.exit_code == 0, first.output
    trained = orjson.loads(first.stdout)
    assert trained["version"] == 1 and trained["promoted"]
    second = run(["recs", "train", "--no-promote"])
    assert second.exit_code == 0, second.output
    assert "registered version 2" in second.stdout

    listed = orjson.loads(run(["recs", "models", "--json"]).stdout)
    assert [(m["version"], m["status"]) for m in listed] == [(2, "candidate"), (1, "champion")]
    assert listed[1]["viewers"] == 60 and "precision@10" in listed[1]["metrics"]["chosen"]
    table = run(["recs", "models"])
    assert "champion" in table.stdout and "recommendation models" in table.stdout

    promoted = run(["recs", "promote", "2"])
    assert promoted.exit_code == 0 and "version 2 is the champion (was v1)" in promoted.stdout
    back = run(["recs", "rollback"])
    assert back.exit_code == 0 and "version 1 is the champion again" in back.stdout
    again = run(["recs", "rollback"])
    assert again.exit_code == 1
    assert "nothing to roll back to: version 1 is the first champion" in again.output
    audit = [orjson.loads(line) for line in run(["audit", "--json"]).stdout.splitlines()]
    models = [
        (e["action"], e["subject"], e["details"]) for e in audit if e["action"].startswith("model.")
    ]
    assert models == [
        ("model.promoted", "1", {"replaced": None}),  # trained and promoted at once
        ("model.promoted", "2", {"replaced": 1}),
        ("model.rolled_back", "1", {"from": 2}),
    ], "the refused rollback left nothing"


def test_errors_name_the_problem(cli: Settings) -> None:
    unknown = run(["recs", "promote", "7"])
    assert unknown.exit_code == 1
    assert "no recommendation model version 7; versions: none yet" in unknown.output
    nothing = run(["recs", "rollback"])
    assert nothing.exit_code == 1 and "there is no champion to roll back" in nothing.output
    empty = run(["recs", "train"])
    assert empty.exit_code == 1 and "too little data to train" in empty.output
    assert "no recommendation models yet" in run(["recs", "models"]).stdout
