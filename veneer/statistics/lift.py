"""One arm against control: the test of the difference and the interval of the relative lift.

- Binomial metrics (did the viewer convert): the two-proportion z-test with the pooled
  standard error, two-sided, as statsmodels' ``proportions_ztest`` computes it.
- Mean metrics (a value per viewer, such as ``purchase.value``): Welch's t-test from each
  arm's mean, variance and size, as scipy's ``ttest_ind_from_stats(equal_var=False)``.
- The relative lift (arm / control - 1) gets a confidence interval by the delta method: the
  variance of a ratio of two independent means is ``var_t / m_c^2 + m_t^2 var_c / m_c^4``
  (each ``var`` the variance of that arm's mean), which is what marketers read ("+12%, between
  +3% and +21%") and what GrowthBook and Optimizely report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats
from statsmodels.stats.proportion import proportions_ztest


@dataclass(frozen=True)
class Sample:
    """One arm's aggregate: ``users`` viewers whose values have this ``mean`` and
    ``variance`` (of one viewer's value; for a binomial metric ``p(1 - p)``)."""

    users: int
    mean: float
    variance: float

    @classmethod
    def binomial(cls, users: int, conversions: int) -> Sample:
        rate = conversions / users if users else 0.0
        return cls(users, rate, rate * (1 - rate))

    @classmethod
    def from_sums(cls, users: int, total: float, squares: float) -> Sample:
        """From the sum of values and the sum of their squares (sample variance, n - 1)."""
        mean = total / users if users else 0.0
        variance = (squares - users * mean * mean) / (users - 1) if users > 1 else 0.0
        return cls(users, mean, max(variance, 0.0))

    @property
    def variance_of_mean(self) -> float:
        return self.variance / self.users if self.users else math.inf


def binomial_p_value(arm: tuple[int, int], control: tuple[int, int]) -> float | None:
    """Two-sided pooled z-test of (users, conversions) pairs."""
    (n_arm, c_arm), (n_control, c_control) = arm, control
    pooled = (c_arm + c_control) / (n_arm + n_control) if n_arm and n_control else 0.0
    if pooled in (0.0, 1.0):
        return None
    _, p_value = proportions_ztest([c_arm, c_control], [n_arm, n_control])
    return float(p_value)


def welch_p_value(arm: Sample, control: Sample) -> float | None:
    """Two-sided Welch's t-test of two samples' means."""
    if arm.users < 2 or control.users < 2 or arm.variance + control.variance == 0:
        return None
    result = stats.ttest_ind_from_stats(
        arm.mean,
        math.sqrt(arm.variance),
        arm.users,
        control.mean,
        math.sqrt(control.variance),
        control.users,
        equal_var=False,
    )
    return float(result.pvalue)


def lift_variance(arm: Sample, control: Sample) -> float | None:
    """The delta method's variance of arm / control - 1; None without a control mean."""
    if control.mean == 0 or not arm.users or not control.users:
        return None
    return (
        arm.variance_of_mean / control.mean**2
        + arm.mean**2 * control.variance_of_mean / control.mean**4
    )


def relative_lift(arm: Sample, control: Sample, alpha: float) -> tuple[float | None, ...]:
    """(lift, low, high) of arm / control - 1, by the delta method; Nones without a
    control mean to divide by."""
    variance = lift_variance(arm, control)
    if variance is None:
        return None, None, None
    lift = arm.mean / control.mean - 1
    half = float(stats.norm.ppf(1 - alpha / 2)) * math.sqrt(variance)
    return lift, lift - half, lift + half
