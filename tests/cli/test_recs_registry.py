"""`veneer recs train`, `models`, `promote` and `rollback` against a real database."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from typer.testing import CliRunner

from tests.jobs.recs_shop import shop
from veneer.cli import app
from veneer.services import Services
from veneer.settings import Settings

runner = CliRunner()


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("VENEER_DATABASE_URL", settings.database_url)
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
    first = runner.invoke(app, ["recs", "train", "--json"])
    assert first.exit_code == 0, first.output
    trained = orjson.loads(first.stdout)
    assert trained["version"] == 1 and trained["promoted"]
    second = runner.invoke(app, ["recs", "train", "--no-promote"])
    assert second.exit_code == 0, second.output
    assert "registered version 2" in second.stdout

    listed = orjson.loads(runner.invoke(app, ["recs", "models", "--json"]).stdout)
    assert [(m["version"], m["status"]) for m in listed] == [(2, "candidate"), (1, "champion")]
    assert listed[1]["viewers"] == 60 and "precision@10" in listed[1]["metrics"]["chosen"]
    table = runner.invoke(app, ["recs", "models"])
    assert "champion" in table.stdout and "recommendation models" in table.stdout

    promoted = runner.invoke(app, ["recs", "promote", "2"])
    assert promoted.exit_code == 0 and "version 2 is the champion (was v1)" in promoted.stdout
    back = runner.invoke(app, ["recs", "rollback"])
    assert back.exit_code == 0 and "version 1 is the champion again" in back.stdout
    again = runner.invoke(app, ["recs", "rollback"])
    assert again.exit_code == 1
    assert "nothing to roll back to: version 1 is the first champion" in again.output


def test_errors_name_the_problem(cli: Settings) -> None:
    unknown = runner.invoke(app, ["recs", "promote", "7"])
    assert unknown.exit_code == 1
    assert "no recommendation model version 7; versions: none yet" in unknown.output
    nothing = runner.invoke(app, ["recs", "rollback"])
    assert nothing.exit_code == 1 and "there is no champion to roll back" in nothing.output
    empty = runner.invoke(app, ["recs", "train"])
    assert empty.exit_code == 1 and "too little data to train" in empty.output
    assert "no recommendation models yet" in runner.invoke(app, ["recs", "models"]).stdout
