"""Bayesian reading of an arm against control: its chance to beat control and the expected
loss of choosing it, computed exactly rather than by sampling.

- Binomial metrics: each arm's rate has the posterior Beta(1 + conversions, 1 + users -
  conversions) under a uniform prior. The chance that the arm's rate exceeds control's has
  a closed form (a finite sum of Beta functions, Evan Miller's "Formulas for Bayesian A/B
  Testing"), summed in log space over the smaller of the two counts so that a million
  conversions cost a million terms at most, vectorised.
- Mean metrics: each arm's mean has a normal posterior (its sample mean, the variance of
  that mean); the difference is normal, so both figures are closed forms.

The expected loss is what choosing the arm costs, on average, in the metric's own units
(rate points for binomial metrics) over the worlds where control is really better:
``E[max(control - arm, 0)]``. It is what lets a decision be made before significance: a
loss below what the team is willing to risk.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from scipy.special import betaln

from veneer.statistics.lift import Sample


def _beta_beats(a_1: float, b_1: float, a_2: float, b_2: float) -> float:
    """P(X_1 > X_2) for X_1 ~ Beta(a_1, b_1), X_2 ~ Beta(a_2, b_2); a_1 a whole number."""
    i = np.arange(int(a_1), dtype=np.float64)
    terms = betaln(a_2 + i, b_1 + b_2) - np.log(b_1 + i) - betaln(1 + i, b_1) - betaln(a_2, b_2)
    return float(np.exp(terms).sum())


def beta_chance(a_arm: float, b_arm: float, a_control: float, b_control: float) -> float:
    """P(arm's rate > control's rate) under their Beta posteriors (whole-number alphas)."""
    if a_arm <= a_control:
        chance = _beta_beats(a_arm, b_arm, a_control, b_control)
    else:  # P(X > Y) = 1 - P(Y > X): sum over the smaller count (ties have probability 0)
        chance = 1.0 - _beta_beats(a_control, b_control, a_arm, b_arm)
    return min(max(chance, 0.0), 1.0)


def binomial(arm: tuple[int, int], control: tuple[int, int]) -> tuple[float, float]:
    """(chance to beat control, expected loss) for (users, conversions) pairs."""
    (n_arm, c_arm), (n_control, c_control) = arm, control
    a_t, b_t = 1 + c_arm, 1 + n_arm - c_arm
    a_c, b_c = 1 + c_control, 1 + n_control - c_control
    chance = beta_chance(a_t, b_t, a_c, b_c)
    # E[max(C - T, 0)] = E[C 1{C > T}] - E[T 1{C > T}], and E[X 1{...}] for X ~ Beta(a, b)
    # is a/(a+b) times the same probability with X ~ Beta(a + 1, b).
    control_part = a_c / (a_c + b_c) * beta_chance(a_c + 1, b_c, a_t, b_t)
    arm_part = a_t / (a_t + b_t) * (1.0 - beta_chance(a_t + 1, b_t, a_c, b_c))
    return chance, max(control_part - arm_part, 0.0)


def normal(arm: Sample, control: Sample) -> tuple[float, float]:
    """(chance to beat control, expected loss) for means with normal posteriors."""
    difference = arm.mean - control.mean
    spread = math.sqrt(arm.variance_of_mean + control.variance_of_mean)
    if spread == 0 or not math.isfinite(spread):
        return (0.5 if difference == 0 else float(difference > 0)), max(-difference, 0.0)
    z = difference / spread
    chance = float(stats.norm.cdf(z))
    # E[max(-D, 0)] for D ~ N(difference, spread^2)
    loss = spread * float(stats.norm.pdf(z)) - difference * float(stats.norm.cdf(-z))
    return chance, max(loss, 0.0)
