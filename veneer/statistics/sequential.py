"""A test that stays valid however often the results are looked at: the mixture SPRT.

A fixed-sample test read every day and stopped at the first p < 0.05 finds "winners" in far
more than 5% of experiments without any effect (`python -m bench.aa_peeking` measures it).
The mixture sequential probability ratio test (mSPRT; Johari, Pekelis and Walsh, "Always
valid inference", 2017) does not: with the estimate ``x`` of the lift, its variance ``V``
and a normal mixture of spread ``tau`` over the alternatives,

    L = sqrt(V / (V + tau^2)) * exp(tau^2 x^2 / (2 V (V + tau^2)))

is a likelihood ratio that, under no effect, exceeds ``1/alpha`` at any time with probability
at most ``alpha`` (Ville's inequality). So ``min(1, 1/L)`` is an always-valid p-value, and
the lifts not rejected form a confidence sequence: an interval valid at every look.

The lift is the relative one, its variance the delta method's (`lift`), as for the
fixed-sample figures. ``tau`` is tuned so the confidence sequence is narrowest at
``planned`` viewers per arm (Howard, Ramdas, McAuliffe and Sekhon, "Time-uniform,
nonparametric, nonasymptotic confidence sequences", 2021; the tuning GrowthBook uses):
per viewer, ``rho^2 = (-2 ln alpha + ln(1 - 2 ln alpha)) / planned``. The test is looser
(never invalid) before and after that size. A mixture as narrow as the standard error at
``planned`` would instead need several times the viewers to confirm a large lift.
"""

from __future__ import annotations

import math

PLANNED_USERS = 5_000  # viewers per arm the mixture is tuned for, when none is given


def mixture_tau2(
    variance: float, users: int, planned: int = PLANNED_USERS, alpha: float = 0.05
) -> float:
    """The mixture's variance on the estimate's scale: the per-viewer variance
    (``variance * users``) times ``rho^2`` for ``planned`` viewers (module docstring)."""
    rho2 = (-2 * math.log(alpha) + math.log(1 - 2 * math.log(alpha))) / planned
    return variance * users * rho2


def always_valid_p(estimate: float, variance: float, tau2: float) -> float:
    """``min(1, 1/L)`` for the mSPRT likelihood ratio ``L`` above."""
    if variance <= 0 or tau2 <= 0:
        return 1.0
    log_ratio = 0.5 * math.log(variance / (variance + tau2)) + (
        tau2 * estimate**2 / (2 * variance * (variance + tau2))
    )
    return min(1.0, math.exp(-log_ratio))


def confidence_sequence(
    estimate: float, variance: float, tau2: float, alpha: float
) -> tuple[float, float]:
    """The lifts whose always-valid p-value is at least ``alpha``: valid at every look."""
    half = math.sqrt(
        2 * variance * (variance + tau2) / tau2
        * (math.log(1 / alpha) + 0.5 * math.log((variance + tau2) / variance))
    )  # fmt: skip
    return estimate - half, estimate + half
