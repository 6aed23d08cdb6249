"""`veneer experiments analyze` and `size`, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.program import VENEER, veneer

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    """The checkout's own code first, whichever copy of it the program was installed from."""
    return {"PATH": str(VENEER.parent), "HOME": "/nonexistent", "PYTHONPATH": str(ROOT)}


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
        "expected_loss", "credible_interval",
    }  # fmt: skip
    assert printed["cuped"] is None
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
        (
            {
                "metric": "binomial",
                "arms": [
                    {"key": "a", "weight": 1, "users": 5, "conversions": 1, "cross_sum": 1},
                    {"key": "b", "weight": 1, "users": 5, "conversions": 1},
                ],
            },
            "arms.0: Value error, covariate_sum and covariate_sum_squares missing",
        ),
        (
            {
                "metric": "binomial",
                "arms": [
                    {"key": "a", "weight": 1, "users": 5, "conversions": 1},
                    {
                        "key": "b",
                        "weight": 1,
                        "users": 5,
                        "conversions": 1,
                        "covariate_sum": 2,
                        "covariate_sum_squares": 2,
                        "cross_sum": 1,
                    },
                ],
            },
            "arms ['a'] have no covariate_sum, covariate_sum_squares and cross_sum",
        ),
        (
            {
                "metric": "mean",
                "arms": [
                    {
                        "key": "a",
                        "weight": 1,
                        "users": 5,
                        "sum": 1,
                        "sum_squares": 1,
                        "covariate_sum": 2,
                        "covariate_sum_squares": -2,
                        "cross_sum": 1,
                    },
                    {"key": "b", "weight": 1, "users": 5, "sum": 1, "sum_squares": 1},
                ],
            },
            "arms.0.covariate_sum_squares",
        ),
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


def test_a_pre_exposure_covariate_makes_the_reading_cuped_adjusted(tmp_path: Path) -> None:
    """Sums of simulated viewers whose spend this month follows last month's."""
    rng = np.random.default_rng(5)
    arms = []
    for key, users, uplift in (("control", 2000, 0.0), ("b", 2000, 1.5)):
        before = rng.gamma(2.0, 15.0, users)
        after = 0.9 * before + rng.normal(uplift, 12.0, users)
        arms.append(
            {"key": key, "weight": 0.5, "users": users, "sum": float(after.sum()),
             "sum_squares": float((after**2).sum()), "covariate_sum": float(before.sum()),
             "covariate_sum_squares": float((before**2).sum()),
             "cross_sum": float((before * after).sum())}
        )  # fmt: skip
    path = _write(tmp_path, {"metric": "mean", "arms": arms})
    done = veneer(["experiments", "analyze", str(path), "--json"], _env())
    assert done.exit_code == 0, done.output
    printed = json.loads(done.stdout)
    assert set(printed["cuped"]) == {"theta", "variance_reduction"}
    assert printed["cuped"]["theta"] == pytest.approx(0.9, abs=0.05)
    assert printed["cuped"]["variance_reduction"] > 0.6

    plain = [{k: v for k, v in arm.items() if "covariate" not in k and k != "cross_sum"}
             for arm in arms]  # fmt: skip
    plain_path = tmp_path / "plain.json"
    plain_path.write_text(json.dumps({"metric": "mean", "arms": plain}))
    without = veneer(["experiments", "analyze", str(plain_path), "--json"], _env())
    (adjusted,), (unadjusted,) = printed["comparisons"], json.loads(without.stdout)["comparisons"]
    assert adjusted["ci"][1] - adjusted["ci"][0] < 0.6 * (unadjusted["ci"][1] - unadjusted["ci"][0])

    table = veneer(["experiments", "analyze", str(path)], _env())
    assert table.exit_code == 0 and "CUPED" in table.stdout, table.output
