"""`upsertExperiment` and `stopExperiment` (secret key)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.permission import PermissionExtension

from veneer.experiments.definition import ArmSpec, Draft, ExperimentError
from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError
from veneer.graphql.experiments.types import Experiment
from veneer.graphql.permissions import IsSecretKey
from veneer.jobs import experiments as jobs


@strawberry.input
class ArmInput:
    key: str
    weight: float
    control: bool = False


@strawberry.input
class ExperimentInput:
    key: str
    metric: str = strawberry.field(
        description="An event type (`purchase`), or `event.property` to sum (`purchase.value`)."
    )
    name: str | None = None
    arms: list[ArmInput] | None = strawberry.field(
        default=None,
        description="Without arms: `control` and each CMS variant tagged with this key, "
        "equal weights (kept as they are when the experiment exists).",
    )
    traffic_share: float = 1.0
    guardrails: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None


def _aware(field: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise UserInputError(field, "give a time zone (e.g. 2026-12-01T00:00:00Z)")
    return value


@strawberry.type
class ExperimentMutations:
    @strawberry.mutation(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Create or change an experiment. Its seed stays, so editing it never "
        "moves a viewer to another arm.",
    )
    async def upsert_experiment(self, info: Info, input: ExperimentInput) -> Experiment:
        draft = Draft(
            key=input.key,
            metric=input.metric,
            name=input.name,
            arms=None
            if input.arms is None
            else [ArmSpec(a.key, a.weight, a.control) for a in input.arms],
            traffic_share=input.traffic_share,
            guardrails=input.guardrails or (),
            start=_aware("start", input.start),
            end=_aware("end", input.end),
        )
        try:
            saved = await jobs.save(info.context.services, draft)
        except ExperimentError as exc:
            raise UserInputError(exc.field, exc.message) from exc
        return Experiment.of(saved, info.context.now)

    @strawberry.mutation(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Stop enrolling: everyone sees the baseline again; the results stay.",
    )
    async def stop_experiment(self, info: Info, key: str) -> Experiment:
        stopped = await jobs.stop(info.context.services, key)
        if stopped is None:
            raise UserInputError("key", f"no experiment {key!r}")
        return Experiment.of(stopped, info.context.now)
