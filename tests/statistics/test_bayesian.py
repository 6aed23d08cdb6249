"""Chance to beat control and expected loss, against numerical integration of the posteriors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from veneer.statistics.bayesian import beta_chance, binomial, normal
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
