"""`veneer placements apply|export` and `veneer email-url`, as a team runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import TEST_SECRET
from veneer.cli import app
from veneer.identity.signed_urls import verify_block

runner = CliRunner()
FILE = """\
placements:
  - key: hero
    strategy: variant
    entries: [tent-x2]
  - key: recommended
    strategy: recommendations
    first: 4
"""


def _apply(tmp_path: Path, text: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "placements.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["placements", "apply", str(path), *args])
    return result.exit_code, result.output


def test_apply_checks_against_the_cms_then_export_gives_the_file_back(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)
    code, output = _apply(tmp_path, FILE, "--dry-run", "--json")
    assert code == 0, output
    assert json.loads(output)["added"] == ["hero", "recommended"]
    code, output = _apply(tmp_path, FILE)
    assert code == 0 and "Applied: 2 added, 0 changed, 0 removed, 0 unchanged." in output

    code, output = _apply(tmp_path, FILE.replace("[tent-x2]", "[tent-x2, tent-x9]"))
    assert code == 2
    assert "placements[0].entries[1]: no entry 'tent-x9'" in " ".join(output.split())

    exported = runner.invoke(app, ["placements", "export"])
    assert exported.exit_code == 0
    assert yaml.safe_load(exported.output) == {
        "placements": [
            {"key": "hero", "strategy": "variant", "first": 1, "entries": ["tent-x2"]},
            {"key": "recommended", "strategy": "recommendations", "first": 4},
        ]
    }
    code, output = _apply(tmp_path, exported.output, "--dry-run")
    assert "Plan: 0 to add, 0 to change, 0 to remove, 2 unchanged." in output


def test_email_url_prints_a_url_signed_for_that_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENEER_SECRET", TEST_SECRET)
    monkeypatch.setenv("VENEER_PUBLIC_URL", "https://veneer.shop.example")
    result = runner.invoke(app, ["email-url", "u-42", "hero", "--expires", "2d"])
    assert result.exit_code == 0, result.output
    url = urlsplit(result.output.strip())
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "veneer.shop.example",
        "/v1/blocks/hero.html",
    )
    query = dict(parse_qsl(url.query))
    now = datetime.now(UTC)
    assert verify_block(TEST_SECRET, "hero", query, now) == "u-42"
    assert int(query["expires"]) <= (now + timedelta(days=2, seconds=5)).timestamp()

    text = runner.invoke(app, ["email-url", "u-42", "hero", "--text"])
    assert "/v1/blocks/hero.txt?" in text.output
    bad = runner.invoke(app, ["email-url", "u-42", "hero", "--expires", "soon"])
    assert bad.exit_code == 2 and "--expires" in bad.output
