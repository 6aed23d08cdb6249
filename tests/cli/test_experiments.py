"""`veneer experiments analyze` and `size`, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.program import VENEER, veneer


def _env() -> dict[str, str]:
    return {"PATH": str(VENEER.parent), "HOME": "/nonexistent"}


def _write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document))
    return path


def test_analyze_prints_one_comparison_per_arm_as_json(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "metric": "binomial",
            "correction": "bh",
            "arms": [
                {"key": "control", "weight": 0.5, "users": 1000, "conversions": 100},
                {"key": "b", "weight": 0.5, "users": 1000, "conversions": 120},
            ],
        },
    )
    done = veneer(["experiments", "analyze", str(path), "--json"], _env())
    assert done.exit_code == 0, done.output
    printed = json.loads(done.stdout)
    assert printed["trustworthy"] is True and printed["srm_p_value"] == pytest.approx(1.0)
    (b,) = printed["comparisons"]
    assert set(b) == {
        "arm", "lift", "ci", "p_value", "p_value_adjusted", "chance_to_beat_control",
        "expected_loss",
    }  # fmt: skip
    assert b["arm"] == "b" and b["lift"] == pytest.approx(0.2)
    assert b["p_value"] == pytest.approx(0.152918, abs=1e-6)
    assert b["chance_to_beat_control"] == pytest.approx(0.923183, abs=1e-4)

    table = veneer(["experiments", "analyze", str(path)], _env())
    assert table.exit_code == 0 and "+20.0%" in table.stdout


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"metric": "binomial", "arms": [{"key": "a", "weight": 1, "users": 5}]}, "arms"),
        (
            {
                "metric": "binomial",
                "arms": [
                    {"key": "a", "weight": 1, "users": 5, "conversions": 9},
                    {"key": "b", "weight": 1, "users": 5, "conversions": 1},
                ],
            },
            "arms.0: Value error, conversions (9) exceed users (5)",
        ),
        (
            {
                "metric": "mean",
                "arms": [
                    {"key": "a", "weight": 1, "users": 5, "conversions": 1},
                    {"key": "b", "weight": 1, "users": 5, "conversions": 1},
                ],
            },
            "a mean metric needs sum and sum_squares",
        ),
        ({"metric": "median", "arms": []}, "metric"),
    ],
)
def test_bad_input_is_refused_naming_the_field(tmp_path: Path, document: Any, message: str) -> None:
    done = veneer(["experiments", "analyze", str(_write(tmp_path, document))], _env())
    assert done.exit_code == 2 and message in " ".join(done.output.split()), done.output
    assert "Traceback" not in done.output


def test_size_plans_the_viewers_an_experiment_needs() -> None:
    done = veneer(["experiments", "size", "--baseline", "0.04", "--mde", "0.10"], _env())
    assert done.exit_code == 0 and "39,455 viewers per arm" in done.stdout, done.output
    refused = veneer(["experiments", "size", "--baseline", "2", "--mde", "0.1"], _env())
    assert refused.exit_code == 2 and "baseline" in refused.output


def test_a_sequential_reading_says_so_and_is_stricter(tmp_path: Path) -> None:
    arms = [
        {"key": "control", "weight": 0.5, "users": 4000, "conversions": 400},
        {"key": "b", "weight": 0.5, "users": 4000, "conversions": 470},
    ]
    fixed = veneer(
        [
            "experiments",
            "analyze",
            str(_write(tmp_path, {"metric": "binomial", "arms": arms})),
            "--json",
        ],
        _env(),
    )
    document = {"metric": "binomial", "sequential": True, "planned_users": 10_000, "arms": arms}
    always = veneer(["experiments", "analyze", str(_write(tmp_path, document)), "--json"], _env())
    assert fixed.exit_code == always.exit_code == 0, always.output
    once, looked = json.loads(fixed.stdout), json.loads(always.stdout)
    assert looked["sequential"] is True and once["sequential"] is False
    assert once["comparisons"][0]["p_value"] < 0.05 < looked["comparisons"][0]["p_value"]
