"""Comparing two conversion rates honestly: a two-proportion z-test and the sample it needs.

Used to validate a segment against its holdout: did members who saw the personalized
experience convert more often than members who saw the baseline? The answer comes with the
confidence interval of the difference and, for the effect actually observed, how many
viewers per group a test at the same significance and 80% power would need, so "not
significant" can be told apart from "too early to say".

The interval is Newcombe's hybrid score interval (Wilson intervals of each rate, combined),
not the textbook Wald interval: holdouts are small, and with no conversions in one the Wald
interval has no width on that side, so it claimed an effect the test did not find.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

_NORMAL = NormalDist()  # the standard normal; the stdlib's, exact to double precision


@dataclass(frozen=True)
class Group:
    viewers: int
    converted: int

    @property
    def rate(self) -> float:
        return self.converted / self.viewers if self.viewers else 0.0


@dataclass(frozen=True)
class Comparison:
    treated: Group
    control: Group
    difference: float  # treated rate minus control rate
    low: float  # confidence interval of the difference
    high: float
    p_value: float | None  # None when the test cannot be run (an empty group, no variance)
    needed_per_group: int | None  # for the observed effect; None without an effect
    confidence: float

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 1 - self.confidence

    def verdict(self) -> str:
        if self.p_value is None:
            return "not enough data: each group needs viewers, and some must convert"
        if self.significant:
            direction = "better" if self.difference > 0 else "worse"
            return f"personalization converts {direction} than the holdout"
        if (
            self.needed_per_group is not None
            and min(self.treated.viewers, self.control.viewers) < self.needed_per_group
        ):
            return (
                f"no significant difference yet: an effect this size needs about "
                f"{self.needed_per_group:,} viewers per group"
            )
        return "no significant difference"


def needed_per_group(p1: float, p2: float, confidence: float, power: float = 0.8) -> int | None:
    """Viewers per group to detect ``p1`` vs ``p2`` (two-sided), by the normal approximation."""
    if p1 == p2:
        return None
    z_alpha = _NORMAL.inv_cdf(1 - (1 - confidence) / 2)
    z_beta = _NORMAL.inv_cdf(power)
    pooled = (p1 + p2) / 2
    top = z_alpha * math.sqrt(2 * pooled * (1 - pooled)) + z_beta * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return math.ceil(float(top) ** 2 / (p1 - p2) ** 2)


def wilson(group: Group, z: float) -> tuple[float, float]:
    """Wilson's score interval of a group's rate: never empty, even at 0 or all converted."""
    n, rate = group.viewers, group.rate
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe(treated: Group, control: Group, z: float) -> tuple[float, float]:
    """Newcombe's (1998) score interval of the difference of two rates (his method 10)."""
    (l1, u1), (l2, u2) = wilson(treated, z), wilson(control, z)
    p1, p2 = treated.rate, control.rate
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def compare(treated: Group, control: Group, confidence: float = 0.95) -> Comparison:
    difference = treated.rate - control.rate
    z_ci = _NORMAL.inv_cdf(1 - (1 - confidence) / 2)
    if treated.viewers == 0 or control.viewers == 0:
        return Comparison(
            treated, control, difference, difference, difference, None, None, confidence
        )
    low, high = newcombe(treated, control, z_ci)
    pooled = (treated.converted + control.converted) / (treated.viewers + control.viewers)
    pooled_spread = math.sqrt(pooled * (1 - pooled) * (1 / treated.viewers + 1 / control.viewers))
    if pooled_spread == 0:
        return Comparison(treated, control, difference, low, high, None, None, confidence)
    z = difference / pooled_spread
    p_value = 2 * _NORMAL.cdf(-abs(z))
    needed = needed_per_group(treated.rate, control.rate, confidence)
    return Comparison(treated, control, difference, low, high, p_value, needed, confidence)
