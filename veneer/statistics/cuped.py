"""CUPED: narrower intervals from what each viewer did before the experiment.

Much of the spread of a metric such as order value is who the viewer is, not which arm they
saw: big spenders spend more in every arm. Each viewer's value of the same metric in the
weeks before exposure (the covariate ``x``) predicts that part, and removing it leaves the
arms' difference unbiased (the covariate cannot depend on the arm, it was measured before
assignment) but with variance shrunk by ``1 - rho^2`` (Deng, Xu, Kohavi and Walker, "Improving
the sensitivity of online controlled experiments by utilizing pre-experiment data", 2013).

Everything is computed from sums, so a warehouse can export them without rows:

- one ``theta`` for all arms, the pooled within-arm covariance of ``x`` and ``y`` over the
  pooled within-arm variance of ``x``. Within-arm pooling keeps the treatment effect out of
  ``theta``, and makes the adjusted difference exactly the arm coefficient of the regression
  of ``y`` on the arm indicators and the centred ``x`` (ANCOVA), which is how it is checked;
- each arm's adjusted mean ``mean(y) - theta (mean(x) - overall mean(x))`` and variance
  ``var(y) - 2 theta cov(x, y) + theta^2 var(x)``: the mean and variance of the adjusted
  values ``y - theta (x - overall mean(x))``, so Welch's test and the delta method apply as
  to any mean metric (a conversion metric too: its ``y`` is 0 or 1);
- the variance reduction, ``1 - pooled adjusted variance / pooled variance``, which for this
  ``theta`` is the squared pooled correlation of ``x`` and ``y``: the share of the noise the
  covariate explained (0 when it explains nothing, and then nothing changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from veneer.statistics.lift import Sample


@dataclass(frozen=True)
class Sums:
    """One arm's sums over its viewers: of the metric ``y`` (``total``, ``squares``), of the
    pre-exposure covariate ``x`` (``covariate_total``, ``covariate_squares``) and of ``x y``."""

    users: int
    total: float
    squares: float
    covariate_total: float
    covariate_squares: float
    cross: float


@dataclass(frozen=True)
class Adjustment:
    theta: float
    variance_reduction: float
    samples: list[Sample]  # one per arm, in the order given: adjusted means and variances


def _deviations(sums: Sums) -> tuple[float, float, float]:
    """Sums of squared deviations from the arm's means: (of x, of y, of x with y)."""
    if sums.users == 0:
        return 0.0, 0.0, 0.0
    n = sums.users
    sxx = sums.covariate_squares - sums.covariate_total**2 / n
    syy = sums.squares - sums.total**2 / n
    sxy = sums.cross - sums.covariate_total * sums.total / n
    return max(sxx, 0.0), max(syy, 0.0), sxy


def adjust(arms: Sequence[Sums]) -> Adjustment:
    """Every arm's CUPED-adjusted sample with one pooled ``theta``; see the module docstring."""
    users = sum(arm.users for arm in arms)
    deviations = [_deviations(arm) for arm in arms]
    sxx = sum(d[0] for d in deviations)
    syy = sum(d[1] for d in deviations)
    sxy = sum(d[2] for d in deviations)
    theta = sxy / sxx if sxx > 0 else 0.0
    reduction = min(max(sxy * sxy / (sxx * syy), 0.0), 1.0) if sxx > 0 and syy > 0 else 0.0
    overall_x = sum(arm.covariate_total for arm in arms) / users if users else 0.0
    samples = []
    for arm, (arm_sxx, arm_syy, arm_sxy) in zip(arms, deviations, strict=True):
        if arm.users == 0:
            samples.append(Sample(0, 0.0, 0.0))
            continue
        mean = arm.total / arm.users - theta * (arm.covariate_total / arm.users - overall_x)
        spread = arm_syy - 2 * theta * arm_sxy + theta * theta * arm_sxx
        variance = max(spread, 0.0) / (arm.users - 1) if arm.users > 1 else 0.0
        samples.append(Sample(arm.users, mean, variance))
    return Adjustment(theta, reduction, samples)
