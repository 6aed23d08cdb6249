"""Chance to beat control and expected loss, against numerical integration of the posteriors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from veneer.statistics.bayesian import (
    beta_chance,
    beta_ratio_cdf,
    binomial,
    binomial_interval,
    normal,
    normal_interval,
)
from veneer.statistics.lift import Sample


def _integrated_chance(a_t: float, b_t: float, a_c: float, b_c: float) -> float:
    found, _ = integrate.quad(
        lambda x: stats.beta.pdf(x, a_t, b_t) * stats.beta.cdf(x, a_c, b_c),
        0,
        1,
        epsabs=1e-12,
        limit=400,
        points=[a_t / (a_t + b_t), a_c / (a_c + b_c)],
    )
    return float(found)


@pytest.mark.parametrize(
    ("arm", "control"), [((1000, 120), (1000, 100)), ((1000, 95), (1200, 130)), ((40, 2), (35, 0))]
)
def test_the_chance_to_beat_control_is_the_integral_of_the_posteriors(
    arm: tuple[int, int], control: tuple[int, int]
) -> None:
    a_t, b_t = 1 + arm[1], 1 + arm[0] - arm[1]
    a_c, b_c = 1 + control[1], 1 + control[0] - control[1]
    expected = _integrated_chance(a_t, b_t, a_c, b_c)
    assert beta_chance(a_t, b_t, a_c, b_c) == pytest.approx(expected, abs=1e-6)
    assert binomial(arm, control)[0] == pytest.approx(expected, abs=1e-6)


def test_the_expected_loss_is_the_mean_shortfall_under_the_posteriors() -> None:
    """Integrated on a 3001 x 3001 trapezoid grid over where both posteriors live."""
    arm, control = (1000, 120), (1000, 100)
    x = np.linspace(0.03, 0.25, 3001)
    arm_density, control_density = stats.beta.pdf(x, 121, 881), stats.beta.pdf(x, 101, 901)
    shortfall = np.maximum(x[None, :] - x[:, None], 0.0)  # rows: the arm's rate; columns: control's
    inner = np.trapezoid(shortfall * control_density[None, :], x, axis=1)
    expected = float(np.trapezoid(inner * arm_density, x))
    assert binomial(arm, control)[1] == pytest.approx(expected, abs=1e-6)
    assert binomial(control, arm)[1] > binomial(arm, control)[1]  # the worse arm risks more


def test_means_have_normal_posteriors() -> None:
    arm, control = Sample(400, 52.0, 900.0), Sample(600, 48.0, 400.0)
    spread = math.sqrt(900 / 400 + 400 / 600)
    chance, loss = normal(arm, control)
    assert chance == pytest.approx(stats.norm.cdf(4.0 / spread), abs=1e-9)
    shortfall, _ = integrate.quad(
        lambda d: max(-d, 0.0) * stats.norm.pdf(d, 4.0, spread), -40, 40, points=[0.0]
    )
    assert loss == pytest.approx(shortfall, abs=1e-6)


@pytest.mark.parametrize(("arm", "control"), [((1000, 120), (1000, 100)), ((40, 2), (35, 0))])
def test_the_credible_interval_is_the_lifts_quantiles_under_the_posteriors(
    arm: tuple[int, int], control: tuple[int, int]
) -> None:
    """Against two million seeded draws from each posterior: quantiles to within sampling
    noise (a few tenths of a percent of the spread)."""
    rng = np.random.default_rng(20261130)
    draws = 2_000_000
    arm_rates = rng.beta(1 + arm[1], 1 + arm[0] - arm[1], draws)
    control_rates = rng.beta(1 + control[1], 1 + control[0] - control[1], draws)
    lifts = arm_rates / control_rates - 1
    low, high = binomial_interval(arm, control, 0.05)
    sampled_low, sampled_high = np.quantile(lifts, [0.025, 0.975])
    assert low == pytest.approx(sampled_low, rel=0.01)
    assert high == pytest.approx(sampled_high, rel=0.01)
    assert float(np.mean(lifts <= low)) == pytest.approx(0.025, abs=5e-4)
    assert float(np.mean(lifts <= high)) == pytest.approx(0.975, abs=5e-4)


def test_the_credible_interval_where_it_can_be_worked_by_hand() -> None:
    """T ~ Beta(2, 1) (one viewer, converted) over C ~ Beta(1, 1) (no viewers): P(T / C <= z)
    is z^2 / 3 up to z = 1 and 1 - 2 / (3 z) beyond, so the quantiles have closed forms."""
    low, high = binomial_interval((1, 1), (0, 0), 0.05)
    assert low == pytest.approx(math.sqrt(3 * 0.025) - 1, abs=1e-9)
    assert high == pytest.approx(2 / (3 * 0.025) - 1, rel=1e-9)
    assert beta_ratio_cdf(0.5, 2, 1, 1, 1) == pytest.approx(0.25 / 3, abs=1e-12)


def test_equal_posteriors_give_an_interval_symmetric_on_the_log_scale() -> None:
    """log(T / C) is symmetric about 0 when T and C have one posterior: (1 + low)(1 + high)=1."""
    low, high = binomial_interval((500, 60), (500, 60), 0.05)
    assert (1 + low) * (1 + high) == pytest.approx(1.0, abs=1e-9)
    assert beta_ratio_cdf(1.0, 61, 441, 61, 441) == pytest.approx(0.5, abs=1e-12)


def test_means_get_the_delta_methods_interval() -> None:
    arm, control = Sample(400, 52.0, 900.0), Sample(600, 48.0, 400.0)
    spread = math.sqrt(900 / 400 / 48**2 + 52**2 * 400 / 600 / 48**4)
    low, high = normal_interval(arm, control, 0.05)
    assert low == pytest.approx(52 / 48 - 1 - 1.959964 * spread, abs=1e-6)
    assert high == pytest.approx(52 / 48 - 1 + 1.959964 * spread, abs=1e-6)
    assert normal_interval(arm, Sample(10, 0.0, 0.0), 0.05) == (None, None)
