"""Partner trait files: every bad row is reported with its line, the good rows still load."""

from __future__ import annotations

from veneer.profiles.importer import RowError, TraitRow, read_csv


def test_a_row_with_fewer_cells_than_the_header_is_a_bad_row() -> None:
    text = "user_id,plan,age\nu-1,gold,41\nu-2,silver\nu-3,bronze,29\n"
    rows = list(read_csv(text))
    assert rows[0] == TraitRow(2, "user", "u-1", {"plan": "gold", "age": 41})
    assert rows[1] == RowError(3, "fewer cells than the header has columns (2 of 3)")
    assert rows[2] == TraitRow(4, "user", "u-3", {"plan": "bronze", "age": 29})


def test_a_row_with_more_cells_than_the_header_is_a_bad_row() -> None:
    rows = list(read_csv("user_id,plan\nu-1,gold,extra\n"))
    assert rows == [RowError(2, "more cells than the header has columns")]
