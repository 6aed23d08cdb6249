"""An experiment's analysis from per-arm aggregates: control, corrections, trust."""

from __future__ import annotations

import pytest

from veneer.experiments.analysis import Arm, analyze, control_of
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
