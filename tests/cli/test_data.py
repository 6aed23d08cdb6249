"""`veneer import traits` as an operator runs it on a partner's file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from veneer.cli import app

runner = CliRunner()


def test_a_short_csv_row_is_reported_and_the_rest_imported(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)
    partner = tmp_path / "partner.csv"
    partner.write_text("user_id,plan,age\nu-1,gold,41\nu-2\nu-3,bronze,29\n", encoding="utf-8")

    result = runner.invoke(app, ["import", "traits", str(partner), "--source", "second_party"])

    assert result.exit_code == 1, result.output
    assert "imported 2 rows as second_party; rejected 1" in result.output
    assert "line 3: fewer cells than the header has columns (1 of 3)" in result.output
