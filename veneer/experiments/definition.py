"""What an experiment is: arms with weights, a control, a traffic share, metrics and a window.

The same definition comes from `upsertExperiment`, from a YAML file (`veneer experiments
apply`) and from the store, so it is validated here once, with errors that name the field.
An experiment runs between ``start`` and ``end`` until it is stopped; a stopped or finished
experiment enrols nobody and every viewer sees the baseline again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
ARM_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")  # a variant id is an arm key
METRIC_PATTERN = re.compile(r"^[A-Za-z0-9_:-]{1,64}(\.[A-Za-z0-9_]{1,64})?$")
CONTROL = "control"
MAX_ARMS = 20

Status = Literal["scheduled", "running", "stopped"]


class ExperimentError(ValueError):
    """A definition Veneer refuses; ``field`` names the offending input field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ArmSpec:
    key: str
    weight: float
    control: bool = False


@dataclass(frozen=True)
class MetricSpec:
    """``purchase`` counts viewers who converted; ``purchase.value`` sums a property."""

    event: str
    value: str | None = None

    @classmethod
    def parse(cls, text: str, where: str = "metric") -> MetricSpec:
        if not METRIC_PATTERN.match(text):
            raise ExperimentError(
                where, f"{text!r} is not an event type or `event.property` (purchase.value)"
            )
        event, _, value = text.partition(".")
        return cls(event, value or None)

    @property
    def kind(self) -> Literal["binomial", "mean"]:
        return "binomial" if self.value is None else "mean"

    def __str__(self) -> str:
        return self.event if self.value is None else f"{self.event}.{self.value}"


@dataclass(frozen=True)
class Experiment:
    key: str
    metric: str
    arms: tuple[ArmSpec, ...]
    seed: str
    name: str | None = None
    traffic_share: float = 1.0
    guardrails: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    stopped_at: datetime | None = None
    models: dict[str, str] = field(default_factory=dict)
    """For a recommendation experiment: the model version each arm serves."""

    @property
    def control(self) -> ArmSpec:
        return next(arm for arm in self.arms if arm.control)

    @property
    def metric_spec(self) -> MetricSpec:
        return MetricSpec.parse(self.metric)

    def status(self, now: datetime) -> Status:
        if self.stopped_at is not None or (self.end is not None and now >= self.end):
            return "stopped"
        if self.start is not None and now < self.start:
            return "scheduled"
        return "running"

    def arm(self, key: str) -> ArmSpec | None:
        return next((arm for arm in self.arms if arm.key == key), None)


def checked_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise ExperimentError(
            "key", "must be 1-100 lowercase letters, digits, - or _, starting alphanumeric"
        )
    return key


def checked_arms(arms: Sequence[ArmSpec]) -> tuple[ArmSpec, ...]:
    """Arms as given, with one control: the arm flagged so, else the one named `control`."""
    if len(arms) < 2:
        raise ExperimentError("arms", "an experiment needs at least two arms, one the control")
    if len(arms) > MAX_ARMS:
        raise ExperimentError("arms", f"at most {MAX_ARMS} arms")
    seen: set[str] = set()
    for index, arm in enumerate(arms):
        if not ARM_PATTERN.match(arm.key):
            raise ExperimentError(
                f"arms[{index}].key", "must be 1-100 letters, digits, ., :, - or _"
            )
        if arm.key in seen:
            raise ExperimentError(f"arms[{index}].key", f"duplicate arm {arm.key!r}")
        seen.add(arm.key)
        if not arm.weight > 0 or arm.weight != arm.weight or arm.weight == float("inf"):
            raise ExperimentError(f"arms[{index}].weight", f"must be above 0, got {arm.weight}")
    total = sum(arm.weight for arm in arms)
    if total == float("inf"):
        raise ExperimentError("arms", "the weights must add up to a finite number")
    flagged = [arm for arm in arms if arm.control]
    if len(flagged) > 1:
        raise ExperimentError("arms", "only one arm can be the control")
    if flagged and CONTROL in seen and flagged[0].key != CONTROL:
        raise ExperimentError("arms", "an arm named `control` must be the control")
    if not flagged:
        if CONTROL not in seen:
            raise ExperimentError("arms", "mark one arm `control: true` or name it `control`")
        arms = [ArmSpec(a.key, a.weight, a.key == CONTROL) for a in arms]
    return tuple(arms)


def checked_experiment(experiment: Experiment) -> Experiment:
    """The definition, or an `ExperimentError` naming the first bad field."""
    checked_key(experiment.key)
    MetricSpec.parse(experiment.metric)
    for index, guardrail in enumerate(experiment.guardrails):
        MetricSpec.parse(guardrail, f"guardrails[{index}]")
    if not 0 < experiment.traffic_share <= 1:
        raise ExperimentError(
            "trafficShare", f"must be above 0 and at most 1, got {experiment.traffic_share}"
        )
    if experiment.start and experiment.end and experiment.end <= experiment.start:
        raise ExperimentError("end", "must be after start")
    arms = checked_arms(experiment.arms)
    unknown = sorted(set(experiment.models) - {arm.key for arm in arms})
    if unknown:
        raise ExperimentError("models", f"name arms the experiment lacks: {', '.join(unknown)}")
    return Experiment(
        key=experiment.key,
        metric=experiment.metric,
        arms=arms,
        seed=experiment.seed,
        name=experiment.name,
        traffic_share=experiment.traffic_share,
        guardrails=experiment.guardrails,
        start=experiment.start,
        end=experiment.end,
        stopped_at=experiment.stopped_at,
        models=experiment.models,
    )


def equal_arms(variant_ids: Sequence[str]) -> tuple[ArmSpec, ...]:
    """`control` and each variant tagged with the experiment, with equal weights."""
    keys = [CONTROL, *sorted(set(variant_ids) - {CONTROL})]
    return tuple(ArmSpec(key, 1.0 / len(keys), key == CONTROL) for key in keys)


@dataclass(frozen=True)
class Draft:
    """An experiment as a person wrote it (GraphQL input or a YAML item): arms optional."""

    key: str
    metric: str
    name: str | None = None
    arms: Sequence[ArmSpec] | None = None
    traffic_share: float = 1.0
    guardrails: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    models: dict[str, str] | None = None
