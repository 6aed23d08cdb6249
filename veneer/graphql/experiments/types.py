"""`Experiment`, `Arm`, `ExperimentResults` and their parts, as API.md fixes them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from veneer.experiments.decision import decision
from veneer.experiments.definition import Experiment as Definition
from veneer.jobs.experiments import Results

if TYPE_CHECKING:
    from veneer.experiments.analysis import Analysis


@strawberry.type(description="One arm of an experiment and its share of the enrolled viewers.")
class Arm:
    key: str
    weight: float
    control: bool


@strawberry.type(description="An A/B (or A/B/n) test on CMS variants, triggers or models.")
class Experiment:
    key: str
    name: str | None
    metric: str = strawberry.field(
        description="What it is judged on: an event type (share of viewers who sent it after "
        "their first exposure) or `event.property` (the sum per viewer, e.g. `purchase.value`)."
    )
    arms: list[Arm]
    traffic_share: float = strawberry.field(description="Share of eligible viewers enrolled.")
    status: str = strawberry.field(description="`scheduled`, `running` or `stopped`.")
    guardrails: list[str]
    start: datetime | None
    end: datetime | None

    @classmethod
    def of(cls, experiment: Definition, now: datetime) -> Experiment:
        return cls(
            key=experiment.key,
            name=experiment.name,
            metric=experiment.metric,
            arms=[Arm(key=a.key, weight=a.weight, control=a.control) for a in experiment.arms],
            traffic_share=experiment.traffic_share,
            status=experiment.status(now),
            guardrails=list(experiment.guardrails),
            start=experiment.start,
            end=experiment.end,
        )


@strawberry.type(description="What one arm saw: viewers exposed, converters, summed value.")
class ArmResult:
    arm: str
    users: int
    conversions: int | None
    value: float | None


@strawberry.type(description="One arm against control.")
class Comparison:
    arm: str
    lift: float | None = strawberry.field(description="Relative lift over control (0.1: +10%).")
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_value_adjusted: float | None = strawberry.field(
        description="After the correction across arms (Holm)."
    )
    chance_to_beat_control: float | None
    expected_loss: float | None = strawberry.field(
        description="What choosing this arm costs, in the metric's units, if it is worse."
    )
    credible_low: float | None = strawberry.field(
        description="The Bayesian 95% credible interval of the lift, low end."
    )
    credible_high: float | None


def comparisons_of(analysis: Analysis) -> list[Comparison]:
    return [
        Comparison(
            arm=c.arm,
            lift=c.lift,
            ci_low=c.ci[0],
            ci_high=c.ci[1],
            p_value=c.p_value,
            p_value_adjusted=c.p_value_adjusted,
            chance_to_beat_control=c.chance_to_beat_control,
            expected_loss=c.expected_loss,
            credible_low=c.credible_interval[0],
            credible_high=c.credible_interval[1],
        )
        for c in analysis.comparisons
    ]


@strawberry.type(description="A guardrail metric's comparisons: it must not get worse.")
class GuardrailResult:
    metric: str
    comparisons: list[Comparison]


@strawberry.type(
    description="An experiment's results so far. Read `trustworthy` first: a sample-ratio "
    "mismatch means the split is broken and no figure after it can be trusted."
)
class ExperimentResults:
    key: str
    metric: str
    srm_p_value: float | None
    trustworthy: bool
    sequential: bool = strawberry.field(
        description="Always-valid p-values and confidence sequences: safe to look daily."
    )
    variance_reduction: float | None = strawberry.field(
        description="Share of the metric's variance CUPED removed using each viewer's "
        "pre-exposure value; null when nobody had one."
    )
    arms: list[ArmResult]
    comparisons: list[Comparison]
    guardrails: list[GuardrailResult]
    decision: str = strawberry.field(description="What the figures say to do, in plain words.")

    @classmethod
    def of(cls, found: Results) -> ExperimentResults:
        experiment, analysis = found.experiment, found.analysis
        binomial = experiment.metric_spec.kind == "binomial"
        arms = [
            ArmResult(
                arm=t.arm,
                users=t.users,
                conversions=t.conversions if binomial else None,
                value=None if binomial else t.total,
            )
            for t in found.totals
        ]
        return cls(
            key=experiment.key,
            metric=experiment.metric,
            srm_p_value=analysis.srm_p_value,
            trustworthy=analysis.trustworthy,
            sequential=analysis.sequential,
            variance_reduction=None
            if analysis.cuped is None
            else analysis.cuped.variance_reduction,
            arms=arms,
            comparisons=comparisons_of(analysis),
            guardrails=[
                GuardrailResult(metric=metric, comparisons=comparisons_of(a))
                for metric, a in found.guardrails.items()
            ],
            decision=decision(analysis, found.guardrails, alpha=0.05),
        )
