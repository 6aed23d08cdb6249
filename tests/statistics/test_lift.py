"""One arm against control, checked against the formulas worked by hand here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from veneer.statistics.lift import Sample, binomial_p_value, relative_lift, welch_p_value


def test_the_z_test_pools_the_rates_and_is_two_sided() -> None:
    pooled = 220 / 2000
    z = (0.12 - 0.10) / math.sqrt(pooled * (1 - pooled) * (1 / 1000 + 1 / 1000))
    by_hand = math.erfc(abs(z) / math.sqrt(2))
    assert binomial_p_value((1000, 120), (1000, 100)) == pytest.approx(by_hand, abs=1e-6)
    assert binomial_p_value((1000, 100), (1000, 120)) == pytest.approx(by_hand, abs=1e-6)


def test_nothing_to_test_without_conversions_or_viewers() -> None:
    assert binomial_p_value((1000, 0), (1000, 0)) is None
    assert binomial_p_value((0, 0), (1000, 10)) is None
    assert binomial_p_value((50, 50), (50, 50)) is None


def test_welch_uses_each_arms_variance_and_the_satterthwaite_degrees_of_freedom() -> None:
    arm, control = Sample(400, 52.0, 30.0**2), Sample(600, 48.0, 20.0**2)
    va, vc = arm.variance / arm.users, control.variance / control.users
    t = (arm.mean - control.mean) / math.sqrt(va + vc)
    df = (va + vc) ** 2 / (va**2 / (arm.users - 1) + vc**2 / (control.users - 1))
    by_hand = 2 * stats.t.sf(abs(t), df)
    assert welch_p_value(arm, control) == pytest.approx(by_hand, abs=1e-6)
    assert welch_p_value(Sample(1, 1.0, 0.0), control) is None


def test_sums_give_the_sample_mean_and_variance() -> None:
    values = np.array([0.0, 12.5, 0.0, 40.0, 7.25, 0.0])
    sample = Sample.from_sums(len(values), float(values.sum()), float((values**2).sum()))
    assert sample.mean == pytest.approx(values.mean(), abs=1e-9)
    assert sample.variance == pytest.approx(values.var(ddof=1), abs=1e-9)


def test_the_lift_interval_is_the_delta_methods() -> None:
    arm, control = Sample.binomial(1000, 120), Sample.binomial(1000, 100)
    lift, low, high = relative_lift(arm, control, 0.05)
    variance = (0.12 * 0.88 / 1000) / 0.10**2 + 0.12**2 * (0.10 * 0.90 / 1000) / 0.10**4
    half = 1.959963984540054 * math.sqrt(variance)
    assert lift == pytest.approx(0.2, abs=1e-9)
    assert (low, high) == (pytest.approx(0.2 - half, abs=1e-6), pytest.approx(0.2 + half, abs=1e-6))
    assert relative_lift(arm, Sample.binomial(1000, 0), 0.05) == (None, None, None)
