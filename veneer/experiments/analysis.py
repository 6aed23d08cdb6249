"""An experiment's results from per-arm aggregates: what `veneer experiments analyze` prints.

Plain data in (each arm's users and conversions, or sums for a mean metric), plain data out:
the sample-ratio check first (a broken split makes every figure after it untrustworthy),
then one comparison per non-control arm with its relative lift, the lift's confidence
interval, the p-value before and after the correction across arms, and the Bayesian chance
to beat control with the expected loss of choosing the arm; read sequentially, the p-values
are always valid and the intervals confidence sequences. The aggregates may come from
Veneer's own exposures and conversions or from a warehouse export: the engine does not care.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from veneer.statistics import bayesian, sequential
from veneer.statistics.lift import (
    Sample,
    binomial_p_value,
    lift_variance,
    relative_lift,
    welch_p_value,
)
from veneer.statistics.multiple import SRM_ALPHA, Correction, adjusted, sample_ratio_p_value

Metric = Literal["binomial", "mean"]


@dataclass(frozen=True)
class Arm:
    """One arm's aggregate. Binomial metrics give ``conversions``; mean metrics give the sum
    of the viewers' values and the sum of their squares."""

    key: str
    weight: float
    users: int
    conversions: int | None = None
    total: float | None = None
    squares: float | None = None
    control: bool = False

    def sample(self, metric: Metric) -> Sample:
        if metric == "binomial":
            return Sample.binomial(self.users, self.conversions or 0)
        return Sample.from_sums(self.users, self.total or 0.0, self.squares or 0.0)


@dataclass(frozen=True)
class Comparison:
    arm: str
    lift: float | None
    ci: tuple[float | None, float | None]
    p_value: float | None
    p_value_adjusted: float | None
    chance_to_beat_control: float | None
    expected_loss: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "arm": self.arm,
            "lift": self.lift,
            "ci": list(self.ci),
            "p_value": self.p_value,
            "p_value_adjusted": self.p_value_adjusted,
            "chance_to_beat_control": self.chance_to_beat_control,
            "expected_loss": self.expected_loss,
        }


@dataclass(frozen=True)
class Analysis:
    metric: Metric
    srm_p_value: float | None
    comparisons: list[Comparison] = field(default_factory=list)
    sequential: bool = False

    @property
    def trustworthy(self) -> bool:
        return self.srm_p_value is None or self.srm_p_value >= SRM_ALPHA

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "srm_p_value": self.srm_p_value,
            "trustworthy": self.trustworthy,
            "sequential": self.sequential,
            "comparisons": [c.as_json() for c in self.comparisons],
        }


def control_of(arms: Sequence[Arm]) -> Arm:
    """The arm marked control, else the one named ``control``, else the first."""
    marked = [arm for arm in arms if arm.control]
    if len(marked) > 1:
        raise ValueError(f"only one arm can be the control; marked: {[a.key for a in marked]}")
    named = [arm for arm in arms if arm.key == "control"]
    return (marked or named or list(arms))[0]


def analyze(
    arms: Sequence[Arm],
    metric: Metric,
    alpha: float = 0.05,
    correction: Correction = "holm",
    sequential_test: bool = False,
    planned: int = sequential.PLANNED_USERS,
) -> Analysis:
    """Every non-control arm against control; see the module docstring. With
    ``sequential_test`` the p-values are always valid and the intervals are confidence
    sequences (`statistics.sequential`), for results looked at as they come in."""
    if len(arms) < 2:
        raise ValueError("an experiment needs a control and at least one other arm")
    control = control_of(arms)
    base = control.sample(metric)
    others = [arm for arm in arms if arm is not control]
    raw: list[float | None] = []
    rows = []
    for arm in others:
        sample = arm.sample(metric)
        if metric == "binomial":
            pair = (arm.users, arm.conversions or 0)
            control_pair = (control.users, control.conversions or 0)
            p_value = binomial_p_value(pair, control_pair)
            chance, loss = bayesian.binomial(pair, control_pair)
        else:
            p_value = welch_p_value(sample, base)
            chance, loss = bayesian.normal(sample, base)
        lift = relative_lift(sample, base, alpha)
        variance = lift_variance(sample, base)
        if sequential_test and lift[0] is not None and variance is not None:
            tau2 = sequential.mixture_tau2(variance, min(arm.users, control.users), planned)
            p_value = sequential.always_valid_p(lift[0], variance, tau2)
            lift = (lift[0], *sequential.confidence_sequence(lift[0], variance, tau2, alpha))
        raw.append(p_value)
        rows.append((arm, lift, chance, loss))
    corrected = adjusted(raw, correction)
    comparisons = [
        Comparison(arm.key, lift, (low, high), p_value, after, chance, loss)
        for (arm, (lift, low, high), chance, loss), p_value, after in zip(
            rows, raw, corrected, strict=True
        )
    ]
    srm = sample_ratio_p_value([a.users for a in arms], [a.weight for a in arms])
    return Analysis(metric, srm, comparisons, sequential_test)
