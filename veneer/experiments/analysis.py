"""An experiment's results from per-arm aggregates: what `veneer experiments analyze` prints.

Plain data in (each arm's users and conversions, or sums for a mean metric), plain data out:
the sample-ratio check first (a broken split makes every figure after it untrustworthy),
then one comparison per non-control arm with its relative lift, the lift's confidence
interval, the p-value before and after the correction across arms, and the Bayesian chance
to beat control with the expected loss of choosing the arm and the credible interval of the
lift; read sequentially, the p-values are always valid and the intervals confidence
sequences. When every arm also gives the sums of a pre-exposure covariate (each viewer's value
of the metric before the experiment), the comparisons are CUPED-adjusted
(`statistics.cuped`): the same lifts, read with less noise, as means (a conversion is a value
of 0 or 1). The aggregates may come from Veneer's own exposures and conversions or from a
warehouse export: the engine does not care.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from veneer.statistics import bayesian, cuped, sequential
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
    of the viewers' values and the sum of their squares. For CUPED, the covariate's sum,
    sum of squares and its sum of products with the metric (``cross``) come all three or not
    at all."""

    key: str
    weight: float
    users: int
    conversions: int | None = None
    total: float | None = None
    squares: float | None = None
    control: bool = False
    covariate_total: float | None = None
    covariate_squares: float | None = None
    cross: float | None = None

    def __post_init__(self) -> None:
        covariate = {
            "covariate_total": self.covariate_total,
            "covariate_squares": self.covariate_squares,
            "cross": self.cross,
        }
        missing = [name for name, value in covariate.items() if value is None]
        if 0 < len(missing) < len(covariate):
            raise ValueError(
                f"arm {self.key!r}: the covariate needs covariate_total, covariate_squares "
                f"and cross together; missing: {', '.join(missing)}"
            )

    @property
    def has_covariate(self) -> bool:
        return self.cross is not None

    def sample(self, metric: Metric) -> Sample:
        if metric == "binomial":
            return Sample.binomial(self.users, self.conversions or 0)
        return Sample.from_sums(self.users, self.total or 0.0, self.squares or 0.0)

    def sums(self, metric: Metric) -> cuped.Sums:
        """The sums CUPED works from; a conversion is a value of 0 or 1, its own square."""
        if metric == "binomial":
            total = squares = float(self.conversions or 0)
        else:
            total, squares = self.total or 0.0, self.squares or 0.0
        return cuped.Sums(
            self.users,
            total,
            squares,
            self.covariate_total or 0.0,
            self.covariate_squares or 0.0,
            self.cross or 0.0,
        )


@dataclass(frozen=True)
class Comparison:
    arm: str
    lift: float | None
    ci: tuple[float | None, float | None]
    p_value: float | None
    p_value_adjusted: float | None
    chance_to_beat_control: float | None
    expected_loss: float | None
    credible_interval: tuple[float | None, float | None] = (None, None)

    def as_json(self) -> dict[str, Any]:
        return {
            "arm": self.arm,
            "lift": self.lift,
            "ci": list(self.ci),
            "p_value": self.p_value,
            "p_value_adjusted": self.p_value_adjusted,
            "chance_to_beat_control": self.chance_to_beat_control,
            "expected_loss": self.expected_loss,
            "credible_interval": list(self.credible_interval),
        }


@dataclass(frozen=True)
class Cuped:
    """How the comparisons were adjusted: ``theta``, and the share of the metric's variance
    the covariate removed (the pooled correlation squared)."""

    theta: float
    variance_reduction: float

    def as_json(self) -> dict[str, float]:
        return {"theta": self.theta, "variance_reduction": self.variance_reduction}


@dataclass(frozen=True)
class Analysis:
    metric: Metric
    srm_p_value: float | None
    comparisons: list[Comparison] = field(default_factory=list)
    sequential: bool = False
    cuped: Cuped | None = None

    @property
    def trustworthy(self) -> bool:
        return self.srm_p_value is None or self.srm_p_value >= SRM_ALPHA

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "srm_p_value": self.srm_p_value,
            "trustworthy": self.trustworthy,
            "sequential": self.sequential,
            "cuped": None if self.cuped is None else self.cuped.as_json(),
            "comparisons": [c.as_json() for c in self.comparisons],
        }


def control_of(arms: Sequence[Arm]) -> Arm:
    """The arm marked control, else the one named ``control``, else the first."""
    marked = [arm for arm in arms if arm.control]
    if len(marked) > 1:
        raise ValueError(f"only one arm can be the control; marked: {[a.key for a in marked]}")
    named = [arm for arm in arms if arm.key == "control"]
    return (marked or named or list(arms))[0]


def _samples(arms: Sequence[Arm], metric: Metric) -> tuple[list[Sample], Cuped | None]:
    """Each arm's sample, CUPED-adjusted when every arm gives the covariate."""
    given = [arm.key for arm in arms if arm.has_covariate]
    if not given:
        return [arm.sample(metric) for arm in arms], None
    if len(given) < len(arms):
        lacking = [arm.key for arm in arms if not arm.has_covariate]
        raise ValueError(
            f"arms {given} give the covariate and {lacking} do not: CUPED needs it for "
            "every arm or none"
        )
    adjustment = cuped.adjust([arm.sums(metric) for arm in arms])
    return adjustment.samples, Cuped(adjustment.theta, adjustment.variance_reduction)


NONE: tuple[None, None] = (None, None)


def analyze(
    arms: Sequence[Arm],
    metric: Metric,
    alpha: float = 0.05,
    correction: Correction = "holm",
    sequential_test: bool = False,
    planned: int = sequential.PLANNED_USERS,
    bayesian_figures: bool = True,
) -> Analysis:
    """Every non-control arm against control; see the module docstring. With
    ``sequential_test`` the p-values are always valid and the intervals are confidence
    sequences (`statistics.sequential`), for results looked at as they come in. Without
    ``bayesian_figures`` the chance to beat control, expected loss and credible interval are
    left out: a binomial credible interval is a root search (milliseconds an arm), which a
    chart of every day's lift does not need."""
    if len(arms) < 2:
        raise ValueError("an experiment needs a control and at least one other arm")
    control = control_of(arms)
    samples, adjusted_by = _samples(arms, metric)
    by_key = {arm.key: sample for arm, sample in zip(arms, samples, strict=True)}
    base = by_key[control.key]
    others = [arm for arm in arms if arm is not control]
    raw: list[float | None] = []
    rows = []
    for arm in others:
        sample = by_key[arm.key]
        credible: tuple[float | None, float | None]
        if metric == "binomial" and adjusted_by is None:
            pair = (arm.users, arm.conversions or 0)
            control_pair = (control.users, control.conversions or 0)
            p_value = binomial_p_value(pair, control_pair)
            chance, loss = bayesian.binomial(pair, control_pair) if bayesian_figures else NONE
            credible = (
                bayesian.binomial_interval(pair, control_pair, alpha) if bayesian_figures else NONE
            )
        else:
            p_value = welch_p_value(sample, base)
            chance, loss = bayesian.normal(sample, base) if bayesian_figures else NONE
            credible = bayesian.normal_interval(sample, base, alpha) if bayesian_figures else NONE
        lift = relative_lift(sample, base, alpha)
        variance = lift_variance(sample, base)
        if sequential_test and lift[0] is None:
            p_value = None  # no relative lift (control at 0): nothing sequential to say
        elif sequential_test and not (variance or 0) > 0:
            # No spread to measure (every viewer alike, or an arm of one): nothing to say yet.
            p_value, lift = None, (lift[0], None, None)
        elif sequential_test and lift[0] is not None and variance is not None:
            tau2 = sequential.mixture_tau2(variance, min(arm.users, control.users), planned, alpha)
            p_value = sequential.always_valid_p(lift[0], variance, tau2)
            lift = (lift[0], *sequential.confidence_sequence(lift[0], variance, tau2, alpha))
        raw.append(p_value)
        rows.append((arm, lift, chance, loss, credible))
    corrected = adjusted(raw, correction)
    comparisons = [
        Comparison(arm.key, lift, (low, high), p_value, after, chance, loss, credible)
        for (arm, (lift, low, high), chance, loss, credible), p_value, after in zip(
            rows, raw, corrected, strict=True
        )
    ]
    srm = sample_ratio_p_value([a.users for a in arms], [a.weight for a in arms])
    return Analysis(metric, srm, comparisons, sequential_test, adjusted_by)
