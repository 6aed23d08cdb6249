"""An experiment's analysis from per-arm aggregates: control, corrections, trust."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from veneer.experiments.analysis import Arm, analyze, control_of
from veneer.statistics.bayesian import binomial_interval
from veneer.statistics.lift import Sample, binomial_p_value, welch_p_value
from veneer.statistics.multiple import adjusted


def _arms() -> list[Arm]:
    return [
        Arm("b", 1 / 3, 1000, conversions=150),
        Arm("control", 1 / 3, 1000, conversions=100),
        Arm("c", 1 / 3, 1000, conversions=104),
    ]


def test_every_other_arm_is_compared_with_control_and_corrected_across_arms() -> None:
    result = analyze(_arms(), "binomial")

    assert [c.arm for c in result.comparisons] == ["b", "c"]
    raw = [binomial_p_value((1000, n), (1000, 100)) for n in (150, 104)]
    assert [c.p_value for c in result.comparisons] == raw
    assert [c.p_value_adjusted for c in result.comparisons] == adjusted(raw, "holm")
    b, c = result.comparisons
    assert b.lift == pytest.approx(0.50) and c.lift == pytest.approx(0.04)
    assert b.ci[0] is not None and b.ci[0] > 0  # b's interval clears zero, c's does not
    assert c.ci[0] is not None and c.ci[0] < 0 < (c.ci[1] or 0)
    assert b.chance_to_beat_control is not None and b.chance_to_beat_control > 0.98
    assert result.trustworthy


def test_a_sample_ratio_mismatch_marks_everything_untrustworthy() -> None:
    arms = [Arm("control", 0.5, 1000, conversions=100), Arm("b", 0.5, 1250, conversions=150)]
    result = analyze(arms, "binomial")
    assert result.srm_p_value is not None and result.srm_p_value < 0.001
    assert not result.trustworthy and not result.as_json()["trustworthy"]


def test_mean_metrics_use_welch_on_the_sums() -> None:
    arms = [
        Arm("control", 0.5, 500, total=500 * 20.0, squares=500 * (20.0**2 + 25.0**2) - 25.0**2),
        Arm("b", 0.5, 500, total=500 * 23.0, squares=500 * (23.0**2 + 30.0**2) - 30.0**2),
    ]
    (b,) = analyze(arms, "mean").comparisons
    expected = welch_p_value(Sample(500, 23.0, 30.0**2), Sample(500, 20.0, 25.0**2))
    assert b.p_value == pytest.approx(expected, abs=1e-9)
    assert b.lift == pytest.approx(0.15)


def test_the_control_is_the_marked_arm_then_the_one_called_control() -> None:
    marked = [Arm("a", 1, 10, 1), Arm("b", 1, 10, 1, control=True)]
    assert control_of(marked).key == "b"
    assert control_of(_arms()).key == "control"
    with pytest.raises(ValueError, match="only one arm"):
        control_of([Arm("a", 1, 10, 1, control=True), Arm("b", 1, 10, 1, control=True)])
    with pytest.raises(ValueError, match="at least one other arm"):
        analyze([Arm("control", 1, 10, 1)], "binomial")


def _converters(seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Per-viewer rows: whether they bought in the month before (x) and during the test (y);
    buyers before buy again far more often. Arm b converts a little more."""
    rng = np.random.default_rng(seed)
    rows = []
    for key, users, boost in (("control", 3000, 0.0), ("b", 3000, 0.03)):
        before = (rng.random(users) < 0.2).astype(float)
        during = (rng.random(users) < 0.05 + 0.5 * before + boost).astype(float)
        rows.append((key, before, during))
    return rows


def test_with_a_covariate_for_every_arm_the_comparison_is_cuped_adjusted() -> None:
    rows = _converters(seed=3)
    arms = [
        Arm(key, 0.5, len(y), conversions=int(y.sum()), covariate_total=float(x.sum()),
            covariate_squares=float((x * x).sum()), cross=float((x * y).sum()))
        for key, x, y in rows
    ]  # fmt: skip
    result = analyze(arms, "binomial")
    plain = analyze([Arm(a.key, a.weight, a.users, a.conversions) for a in arms], "binomial")

    assert result.cuped is not None and plain.cuped is None
    theta = result.cuped.theta
    overall = np.concatenate([x for _, x, _ in rows]).mean()
    (_, xc, yc), (_, xb, yb) = rows
    control, arm = yc - theta * (xc - overall), yb - theta * (xb - overall)
    expected = stats.ttest_ind(arm, control, equal_var=False).pvalue
    (b,) = result.comparisons
    assert b.p_value == pytest.approx(expected, abs=1e-6)
    assert b.lift == pytest.approx(arm.mean() / control.mean() - 1, abs=1e-6)
    assert b.ci[0] is not None and b.ci[1] is not None
    (before,) = plain.comparisons
    assert before.ci[0] is not None and before.ci[1] is not None
    assert result.cuped.variance_reduction > 0.25  # what buying before explains
    assert b.ci[1] - b.ci[0] < 0.9 * (before.ci[1] - before.ci[0])
    assert result.as_json()["cuped"] == {
        "theta": theta, "variance_reduction": result.cuped.variance_reduction
    }  # fmt: skip
    assert plain.as_json()["cuped"] is None


def test_the_covariate_comes_whole_and_for_every_arm_or_not_at_all() -> None:
    with pytest.raises(ValueError, match="missing: covariate_squares, cross"):
        Arm("b", 1, 10, 1, covariate_total=3.0)
    partial = [Arm("control", 1, 10, 1), Arm("b", 1, 10, 1, None, None, False, 3, 5, 1)]
    with pytest.raises(ValueError, match=r"\['b'\] give the covariate and \['control'\] do not"):
        analyze(partial, "binomial")


def test_every_comparison_has_a_credible_interval_of_its_lift() -> None:
    b, c = analyze(_arms(), "binomial", alpha=0.1).comparisons
    assert b.credible_interval == binomial_interval((1000, 150), (1000, 100), 0.1)
    low, high = c.credible_interval
    assert low is not None and high is not None and low < 0.04 < high
    assert b.as_json()["credible_interval"] == list(b.credible_interval)


def test_a_sequential_reading_without_spread_says_nothing_rather_than_failing() -> None:
    """Arms of one viewer each (the first day of an experiment): no variance to test."""
    arms = [
        Arm("control", 0.5, 1, total=1.0, squares=1.0, control=True),
        Arm("b", 0.5, 1, total=2.0, squares=4.0),
    ]
    (comparison,) = analyze(arms, "mean", sequential_test=True).comparisons
    assert comparison.lift == pytest.approx(1.0)
    assert comparison.ci == (None, None) and comparison.p_value is None


def test_a_sequential_reading_with_no_control_conversions_gives_no_p_value() -> None:
    """No relative lift exists over 0/10, so a fixed-sample p-value must not pass as an
    always-valid one."""
    arms = [
        Arm("control", 0.5, 10, conversions=0, control=True),
        Arm("b", 0.5, 10, conversions=5),
    ]
    (comparison,) = analyze(arms, "binomial", sequential_test=True).comparisons
    assert comparison.lift is None and comparison.p_value is None
    (fixed,) = analyze(arms, "binomial").comparisons
    assert fixed.p_value is not None and fixed.p_value < 0.05


@pytest.mark.parametrize("metric", ["binomial", "continuous"])
def test_without_bayesian_figures_the_frequentist_ones_are_unchanged(metric: str) -> None:
    """A chart of every day's lift skips the costly Bayesian figures, and only them."""
    if metric == "binomial":
        arms = [Arm("control", 0.5, 1000, 100, control=True), Arm("b", 0.5, 1000, 130)]
    else:
        arms = [
            Arm("control", 0.5, 1000, None, 5000.0, 40000.0, control=True),
            Arm("b", 0.5, 1000, None, 5600.0, 47000.0),
        ]
    full = analyze(arms, metric, sequential_test=True)  # type: ignore[arg-type]
    lean = analyze(arms, metric, sequential_test=True, bayesian_figures=False)  # type: ignore[arg-type]
    (kept,), (left,) = full.comparisons, lean.comparisons
    assert (left.lift, left.ci, left.p_value, left.p_value_adjusted) == (
        kept.lift,
        kept.ci,
        kept.p_value,
        kept.p_value_adjusted,
    )
    assert kept.chance_to_beat_control is not None and kept.credible_interval[0] is not None
    assert (left.chance_to_beat_control, left.expected_loss, left.credible_interval) == (
        None,
        None,
        (None, None),
    )
