"""Managing experiments and reading their results, shared by GraphQL and the CLI.

Saving an experiment without arms looks in the CMS for the variants tagged with its key
(the editor's side of the experiment), so a marketer starts one from the key alone. Results
come from Veneer's own exposures and the events stored after them, summed by the database
and handed to the statistics engine, sequential by default since people look daily.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from veneer.experiments.definition import (
    Draft,
    Experiment,
    ExperimentError,
    MetricSpec,
    checked_experiment,
    checked_key,
    equal_arms,
)
from veneer.services import Services
from veneer.store import experiments as store

if TYPE_CHECKING:  # the engine loads scipy: only reading results pays for it
    from veneer.experiments.analysis import Analysis, Arm
    from veneer.experiments.timeline import Day
    from veneer.statistics.multiple import Correction


async def tagged_variants(services: Services, key: str) -> list[str]:
    """The ids of the CMS variants that carry ``experiment: key``, across all entries."""
    found: set[str] = set()
    for entry in await services.catalogue.entries():
        found.update(v.id for v in entry.variants if v.experiment == key)
    return sorted(found)


async def prepared(services: Services, draft: Draft) -> Experiment:
    """The checked definition ``draft`` would save, keeping an existing one's seed and stop."""
    checked_key(draft.key)
    async with services.db.reading() as session:
        existing = await store.get_experiment(session, draft.key)
    arms = draft.arms
    if arms is None:
        if existing is not None:
            arms = existing.arms
        else:
            variants = await tagged_variants(services, draft.key)
            if not variants:
                raise ExperimentError(
                    "arms",
                    f"no variant in the CMS carries `experiment: {draft.key}`; tag the "
                    "variants first, or list the arms",
                )
            arms = equal_arms(variants)
    models = draft.models if draft.models is not None else existing.models if existing else {}
    return checked_experiment(
        Experiment(
            key=draft.key,
            metric=draft.metric,
            arms=tuple(arms),
            seed=existing.seed if existing else secrets.token_hex(8),
            name=draft.name,
            traffic_share=draft.traffic_share,
            guardrails=tuple(draft.guardrails),
            start=draft.start,
            end=draft.end,
            stopped_at=existing.stopped_at if existing else None,
            models=dict(models),
        )
    )


async def save(services: Services, draft: Draft) -> Experiment:
    experiment = await prepared(services, draft)
    async with services.db.session() as session:
        saved = await store.save_experiment(session, experiment)
    await services.experiments_changed()
    return saved


async def stop(services: Services, key: str) -> Experiment | None:
    """Stop enrolling and serving arms: everyone sees the baseline again; results stay."""
    async with services.db.session() as session:
        stopped = await store.stop_experiment(session, key, services.clock())
    await services.experiments_changed()
    return stopped


async def find(services: Services, key: str) -> Experiment | None:
    async with services.db.reading() as session:
        return await store.get_experiment(session, key)


@dataclass(frozen=True)
class Results:
    experiment: Experiment
    totals: list[store.ArmTotals]  # one per arm, in the experiment's order
    analysis: Analysis
    guardrails: dict[str, Analysis]


def every_arm(experiment: Experiment, totals: Sequence[store.ArmTotals]) -> list[store.ArmTotals]:
    """The totals of each arm in the experiment's order; an arm nobody reached yet counts 0."""
    by_arm = {t.arm: t for t in totals}
    return [
        by_arm.get(spec.key) or store.ArmTotals(spec.key, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0)
        for spec in experiment.arms
    ]


def engine_arms(
    experiment: Experiment, totals: Sequence[store.ArmTotals], metric: MetricSpec
) -> list[Arm]:
    """Every arm of the experiment, as the statistics engine reads it."""
    from veneer.experiments.analysis import Arm

    # CUPED needs someone with a pre-exposure value; without, it would only add noise.
    cuped = any(t.covariate_squares > 0 for t in totals)
    binomial = metric.kind == "binomial"
    return [
        Arm(
            key=spec.key,
            weight=spec.weight,
            users=t.users,
            conversions=t.conversions if binomial else None,
            total=None if binomial else t.total,
            squares=None if binomial else t.squares,
            control=spec.control,
            covariate_total=t.covariate_sum if cuped else None,
            covariate_squares=t.covariate_squares if cuped else None,
            cross=t.cross_sum if cuped else None,
        )
        for spec, t in zip(experiment.arms, every_arm(experiment, totals), strict=True)
    ]


async def results(
    services: Services,
    key: str,
    alpha: float = 0.05,
    correction: Correction = "holm",
    sequential: bool = True,
) -> Results | None:
    """The primary metric's analysis, and each guardrail's, from stored exposures."""
    experiment = await find(services, key)
    if experiment is None:
        return None
    return await _results(services, experiment, None, alpha, correction, sequential)


async def _results(
    services: Services,
    experiment: Experiment,
    outcomes: Sequence[store.Outcome] | None,
    alpha: float = 0.05,
    correction: Correction = "holm",
    sequential: bool = True,
) -> Results:
    """`results`, its primary totals summed from ``outcomes`` when they were read already."""
    from veneer.experiments.analysis import analyze

    key = experiment.key
    async with services.db.reading() as session:
        metric = experiment.metric_spec
        if outcomes is None:
            totals = await store.arm_totals(session, key, metric)
        else:
            totals = store.totals_of(outcomes)
        guardrails: dict[str, Analysis] = {}
        for guardrail in experiment.guardrails:
            spec = MetricSpec.parse(guardrail)
            arms = engine_arms(experiment, await store.arm_totals(session, key, spec), spec)
            guardrails[guardrail] = analyze(arms, spec.kind, alpha, correction, sequential)
    analysis = analyze(
        engine_arms(experiment, totals, metric), metric.kind, alpha, correction, sequential
    )
    return Results(experiment, every_arm(experiment, totals), analysis, guardrails)


async def days(
    services: Services, key: str, bayesian_figures: bool = True
) -> tuple[Experiment, list[Day]] | None:
    """The results at the end of each day since the first exposure (sequential: they are
    meant to be looked at daily). Exposures to an arm since removed are left out; without
    ``bayesian_figures``, each day's lift and interval only (see `analyze`)."""
    experiment = await find(services, key)
    if experiment is None:
        return None
    async with services.db.reading() as session:
        rows = await store.outcomes(session, key, experiment.metric_spec)
    return experiment, _days_of(services, experiment, rows, bayesian_figures)


async def results_and_days(
    services: Services, key: str, bayesian_figures: bool = True
) -> tuple[Results, list[Day]] | None:
    """`results` and `days` together, each exposed viewer's outcome read once for both."""
    experiment = await find(services, key)
    if experiment is None:
        return None
    async with services.db.reading() as session:
        rows = await store.outcomes(session, key, experiment.metric_spec)
    found = await _results(services, experiment, rows)
    return found, _days_of(services, experiment, rows, bayesian_figures)


def _days_of(
    services: Services,
    experiment: Experiment,
    rows: Sequence[store.Outcome],
    bayesian_figures: bool,
) -> list[Day]:
    from veneer.experiments.timeline import Exposure, timeline

    metric = experiment.metric_spec
    weights = {arm.key: arm.weight for arm in experiment.arms}
    exposures = [
        Exposure(row.arm, row.exposed_at, row.converted_at, row.value)
        for row in rows
        if row.arm in weights
    ]
    return timeline(
        exposures,
        weights,
        metric.kind,
        control=experiment.control.key,
        sequential=True,
        until=min(services.clock(), experiment.stopped_at or services.clock()).date(),
        bayesian_figures=bayesian_figures,
    )
