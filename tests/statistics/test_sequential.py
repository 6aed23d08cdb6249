"""The mixture SPRT: its p-value and confidence sequence agree, and it is stricter than a
fixed-sample test at the same data, as the price of being valid at every look."""

from __future__ import annotations

import math

import pytest

from veneer.experiments.analysis import Arm, analyze
from veneer.statistics.sequential import always_valid_p, confidence_sequence, mixture_tau2


def test_the_likelihood_ratio_is_the_normal_mixtures() -> None:
    estimate, variance, tau2 = 0.2, 0.01, 0.02
    ratio = math.sqrt(variance / (variance + tau2)) * math.exp(
        tau2 * estimate**2 / (2 * variance * (variance + tau2))
    )
    assert always_valid_p(estimate, variance, tau2) == pytest.approx(min(1.0, 1 / ratio))
    assert always_valid_p(0.0, variance, tau2) == 1.0  # no effect seen: nothing to reject


def test_the_sequence_ends_where_the_p_value_reaches_alpha() -> None:
    estimate, variance = 0.3, 0.004
    tau2 = mixture_tau2(variance, 2_000, 5_000)
    low, high = confidence_sequence(estimate, variance, tau2, 0.05)
    assert low < estimate < high
    for edge in (low, high):
        assert always_valid_p(estimate - edge, variance, tau2) == pytest.approx(0.05)


def test_a_sequential_reading_is_stricter_than_a_single_look() -> None:
    arms = [
        Arm("control", 0.5, 4000, conversions=400),
        Arm("b", 0.5, 4000, conversions=470),
    ]
    (fixed,) = analyze(arms, "binomial").comparisons
    (always,) = analyze(arms, "binomial", sequential_test=True).comparisons
    assert fixed.p_value is not None and always.p_value is not None
    assert fixed.p_value < 0.05 < always.p_value
    assert always.lift == fixed.lift
    assert always.ci[0] < fixed.ci[0] and always.ci[1] > fixed.ci[1]  # type: ignore[operator]
    assert analyze(arms, "binomial", sequential_test=True).as_json()["sequential"] is True
