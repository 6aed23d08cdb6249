"""`veneer triggers apply FILE [--dry-run]`, as a team runs it on its triggers file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veneer.cli import app

runner = CliRunner()
CART_RULE = '{"event": "cart_abandoned", "count": {"gte": 2}, "within": "7d"}'

FILE = """\
triggers:
  - key: cart-reminder
    when: {"event": "cart_abandoned", "count": {"gte": 2}, "within": "7d"}
    page: {"timeOnPage": {"gte": 120}, "contentType": "product"}
    offer: {placement: cart, entry: promo-10, params: {code: COMEBACK10}}
    caps: {perDay: 1, perWeek: 2}
    priority: 10
  - key: welcome
    offer: {placement: hero, content: {text: Welcome back}}
    cooldown: 3d
    start: 2026-12-01T00:00:00Z
"""


def _apply(tmp_path: Path, text: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "triggers.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["triggers", "apply", str(path), *args])
    return result.exit_code, result.output


def test_dry_run_shows_the_plan_and_apply_makes_it_so(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)
    code, output = _apply(tmp_path, FILE, "--dry-run")
    assert code == 0, output
    assert "+ cart-reminder (added)" in output and "+ welcome (added)" in output
    assert "Plan: 2 to add, 0 to change, 0 to remove, 0 unchanged." in output
    code, output = _apply(tmp_path, FILE, "--dry-run", "--json")
    assert json.loads(output)["added"] == ["cart-reminder", "welcome"]  # still nothing saved

    code, output = _apply(tmp_path, FILE)
    assert code == 0 and "Applied: 2 added, 0 changed, 0 removed, 0 unchanged." in output

    edited = FILE.replace("priority: 10", "priority: 20").split("  - key: welcome")[0]
    code, output = _apply(tmp_path, edited, "--dry-run")
    assert "~ cart-reminder (changed: priority)" in output and "- welcome (removed)" in output
    code, output = _apply(tmp_path, edited, "--json")
    assert json.loads(output) == {
        "added": [],
        "changed": {"cart-reminder": ["priority"]},
        "removed": ["welcome"],
        "unchanged": [],
        "dryRun": False,
    }
    code, output = _apply(tmp_path, edited, "--json")
    assert json.loads(output)["unchanged"] == ["cart-reminder"]


def test_a_bad_file_names_the_node_and_changes_nothing(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)
    bad = FILE.replace('"count": {"gte": 2}', '"count": {"most": 2}')
    code, output = _apply(tmp_path, bad)
    assert code == 2
    assert "$.triggers[0].when.count.most: must be one of eq gt gte lt lte" in output
    code, output = _apply(tmp_path, FILE.replace("perDay: 1", "perDay: -1"))
    assert code == 2 and "$.triggers[0].caps.perDay: Input should be greater than" in output
    ghost = FILE.replace(CART_RULE, '{"segment": "ghost"}')
    code, output = _apply(tmp_path, ghost)
    assert code == 2 and "$.triggers[0].when: refers to unknown segment(s): ghost" in output
    code, output = _apply(tmp_path, "triggers: [\n")
    assert code == 2 and "is not YAML" in output
    code, output = _apply(tmp_path, FILE, "--json", "--dry-run")
    assert json.loads(output)["added"] == ["cart-reminder", "welcome"]


def test_export_writes_a_file_that_applies_as_no_change(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)
    assert _apply(tmp_path, FILE)[0] == 0
    exported = runner.invoke(app, ["triggers", "export"])
    assert exported.exit_code == 0, exported.output
    assert "key: cart-reminder" in exported.output and "COMEBACK10" in exported.output
    code, output = _apply(tmp_path, exported.output, "--dry-run", "--json")
    assert code == 0, output
    assert json.loads(output)["unchanged"] == ["cart-reminder", "welcome"]
