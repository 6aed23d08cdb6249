"""`veneer recs evaluate` on a small data set written in RecBole's format."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from tests.recommend.models.planted import planted
from veneer.cli import app

runner = CliRunner()


def _write(directory: Path) -> Path:
    data = planted(seed=2)
    lines = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"]
    for user, item, stamp in zip(data.users, data.items, data.timestamps, strict=True):
        lines.append(f"{data.user_ids[user]}\t{data.item_ids[item]}\t4\t{stamp:.0f}")
    (directory / "planted.inter").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def test_json_names_every_model_and_the_one_validation_chose(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["recs", "evaluate", "--data", str(_write(tmp_path)), "--seeds", "42,1", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert report["protocol"] == "random" and report["seeds"] == [42, 1]
    assert {"ItemPop", "EASE", "LightFM", "ALS", "EASE+LightFM"} <= set(report["models"])
    assert report["selected"] in report["models"]
    for figures in report["models"].values():
        assert {"precision@10", "recall@10", "ndcg@10", "coverage@10", "auc", "train_s"} <= set(
            figures
        )
    chosen = report["models"][report["selected"]]["precision@10"]
    assert chosen > 1.5 * report["models"]["ItemPop"]["precision@10"]


def test_the_table_shows_each_models_ratio_to_itempop(tmp_path: Path) -> None:
    directory = _write(tmp_path)
    result = runner.invoke(
        app, ["recs", "evaluate", "--data", str(directory), "--protocol", "time", "--seeds", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "time protocol" in result.stdout
    assert "selected on the validation split:" in result.stdout


def test_a_missing_data_set_is_an_error_naming_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["recs", "evaluate", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "not a directory" in result.output


def test_seeds_must_be_integers() -> None:
    result = runner.invoke(app, ["recs", "evaluate", "--data", ".", "--seeds", "1,x"])
    assert result.exit_code == 2
    assert "seeds must be integers" in result.output


def test_a_model_over_the_memory_budget_is_skipped_and_named(tmp_path: Path) -> None:
    directory = _write(tmp_path)
    options = ["--seeds", "1", "--budget-gib", "0.0002", "--json"]
    result = runner.invoke(app, ["recs", "evaluate", "--data", str(directory), *options])
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert "EASE" not in report["models"] and "ItemPop" in report["models"]
    assert report["skipped"]["EASE"].startswith("needs 0.0 GiB for 160 users x 110 items")
    assert report["skipped"]["EASE+LightFM"].startswith("its part")
    assert "skipped EASE: needs" in result.stderr
