"""The audit log: every change to what runs Veneer, by whom and when, from every edge."""

from __future__ import annotations

import asyncio
import getpass
import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql
from veneer.cli import app
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.audit import changes
from veneer.store.segments import upsert_segment

SAVE = """mutation($key: String!, $rule: JSON!) {
  upsertSegment(key: $key, name: "Alpine", rule: $rule) { key } }"""
DELETE = 'mutation { deleteSegment(key: "alpine") }'
LOG = "{ auditLog(first: 10) { id actor action subject details } }"
RULE = {"trait": "region", "op": "eq", "value": "alps"}
runner = CliRunner()


def _log(client: TestClient, keys: Keys) -> list[dict[str, object]]:
    entries = data(gql(client, LOG, key=keys.secret))["auditLog"]
    return [e for e in entries if not str(e["action"]).startswith("key.")]  # the fixture's keys


def test_changes_over_graphql_name_the_key_that_made_them(client: TestClient, keys: Keys) -> None:
    data(gql(client, SAVE, {"key": "alpine", "rule": RULE}, key=keys.secret))
    data(gql(client, DELETE, key=keys.secret))
    deleted, saved = _log(client, keys)
    assert (saved["action"], saved["subject"]) == ("segment.saved", "alpine")
    assert saved["details"] == {"name": "Alpine", "rule": RULE, "holdout": 0.0}
    assert (deleted["action"], deleted["subject"]) == ("segment.deleted", "alpine")
    assert int(str(deleted["id"])) > int(str(saved["id"])), "newest first"
    assert str(saved["actor"]).startswith("key:") and saved["actor"].endswith("(test backend)")


def test_a_refused_change_logs_nothing_and_only_secret_keys_read_the_log(
    client: TestClient, keys: Keys
) -> None:
    refused = gql(client, SAVE, {"key": "alpine", "rule": {"segment": "nope"}}, key=keys.secret)
    assert "unknown segment" in error_messages(refused)[0]
    assert _log(client, keys) == []
    public = gql(client, LOG, key=keys.public, anonymous_id="a")
    assert error_messages(public) == ["this field needs a secret key"]


def test_a_change_rolled_back_takes_its_entry_with_it(settings: Settings) -> None:
    async def run() -> int:
        db = Database(settings.database_url)
        try:
            with pytest.raises(RuntimeError):
                async with db.session() as session:
                    await upsert_segment(session, "alpine", "Alpine", RULE)
                    raise RuntimeError("injected: the connection dropped before commit")
            async with db.reading() as session:
                return len([r for r in await changes(session, 10) if r.subject == "alpine"])
        finally:
            await db.dispose()

    assert asyncio.run(run()) == 0


def test_the_command_line_and_files_are_logged_as_the_person_at_the_terminal(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)
    path = tmp_path / "placements.yaml"
    hero = "placements:\n  - key: hero\n    strategy: variant\n    entries: [tent-x2]\n"
    path.write_text(hero, encoding="utf-8")
    applied = runner.invoke(app, ["placements", "apply", str(path)])
    assert applied.exit_code == 0, applied.output
    exported = runner.invoke(app, ["audit", "--json"])
    assert exported.exit_code == 0, exported.output
    entries = [json.loads(line) for line in exported.output.splitlines()]
    (placed,) = [e for e in entries if e["action"] == "placement.saved"]
    assert placed["subject"] == "hero" and placed["actor"] == f"cli:{getpass.getuser()}"
    assert placed["details"]["entries"] == ["tent-x2"]
