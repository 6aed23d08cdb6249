"""Champion vs challenger: a new recommendation model earns its place in an experiment.

Offline figures (precision@10 on a holdout) say a model ranks well; only live traffic says it
sells. `challenge` starts an experiment whose control arm is served by whichever version is
champion and whose `challenger` arm by the new version, judged on a conversion metric.
`conclude` reads it with the sequential test (valid however often it is read, so
housekeeping may read it daily): a challenger that wins is promoted and the experiment
stopped; one that loses, or harms a guardrail, is left unpromoted and the experiment stopped;
otherwise it keeps running.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from veneer.experiments.decision import verdict
from veneer.experiments.definition import ArmSpec, Draft, Experiment, ExperimentError
from veneer.jobs import experiments as experiment_jobs
from veneer.jobs import recs_registry
from veneer.services import Services
from veneer.store import recommendation_models as registry

logger = logging.getLogger(__name__)
CHAMPION_ARM = "champion"
CHALLENGER_ARM = "challenger"


async def challenge(
    services: Services,
    version: int,
    key: str | None = None,
    metric: str = "purchase",
    traffic_share: float = 1.0,
    guardrails: tuple[str, ...] = (),
) -> Experiment:
    """Start serving ``version`` to half the enrolled viewers against the champion.

    The champion's version is fixed in the experiment: if another is promoted meanwhile
    (scheduled training), the control arm keeps the one the challenger is measured against.
    """
    async with services.db.reading() as session:
        candidate = await registry.get_version(session, version)
        champion = await registry.champion_version(session)
    if candidate is None:
        raise ExperimentError("version", f"no recommendation model version {version}")
    if champion is None:
        raise ExperimentError(
            "version", "there is no champion to challenge yet: promote a first version"
        )
    if candidate.version == champion:
        raise ExperimentError("version", f"version {version} is the champion already")
    if candidate.retrain_due is not None or candidate.pruned_at is not None:
        raise ExperimentError(
            "version", f"version {version} may no longer serve (withdrawn data or pruned)"
        )
    existing = await services.experiments(fresh=True)
    chosen = key or f"recs-v{version}"
    if chosen in existing:
        raise ExperimentError(
            "key", f"experiment {chosen!r} exists already (its results stay); choose another key"
        )
    running = [
        e.key for e in existing.values() if e.models and e.status(services.clock()) == "running"
    ]
    if running:
        raise ExperimentError(
            "version",
            f"model experiment {running[0]!r} is still running; conclude or stop it first",
        )
    draft = Draft(
        key=chosen,
        name=f"recommendations: v{version} against the champion",
        metric=metric,
        arms=[ArmSpec(CHAMPION_ARM, 0.5, True), ArmSpec(CHALLENGER_ARM, 0.5)],
        traffic_share=traffic_share,
        guardrails=guardrails,
        models={CHAMPION_ARM: str(champion), CHALLENGER_ARM: str(version)},
    )
    return await experiment_jobs.save(services, draft)


@dataclass(frozen=True)
class Conclusion:
    key: str
    outcome: str  # "promoted", "rejected" or "running"
    reason: str
    version: int | None


async def conclude(services: Services, key: str) -> Conclusion:
    """Promote a winning challenger, drop a losing one, or leave the experiment running."""
    found = await experiment_jobs.results(services, key)
    if found is None or not found.experiment.models:
        raise ExperimentError("key", f"no model experiment {key!r}")
    experiment = found.experiment
    version = int(experiment.models[CHALLENGER_ARM])
    if experiment.status(services.clock()) != "running":
        return Conclusion(key, "stopped", "the experiment was already stopped", version)
    judged = verdict(found.analysis, found.guardrails)
    async with services.db.reading() as session:
        champion = await registry.champion_version(session)
    measured = experiment.models.get(CHAMPION_ARM)
    if judged.kind == "ship" and measured is not None and str(champion) != measured:
        return Conclusion(
            key,
            "running",
            f"not promoted: the challenger beat v{measured}, but v{champion} is the champion "
            "now; stop this experiment and challenge the new champion",
            version,
        )
    if judged.kind == "ship" and judged.arm == CHALLENGER_ARM:
        try:
            await recs_registry.promote(services, version, f"won experiment {key}: {judged.text}")
        except recs_registry.RegistryError as exc:
            return Conclusion(key, "running", f"not promoted: {exc}", version)
        await experiment_jobs.stop(services, key)
        logger.info("challenger v%d promoted: %s", version, judged.text)
        return Conclusion(key, "promoted", judged.text, version)
    if judged.kind in ("keep-control", "harm"):
        async with services.db.session() as session:
            await registry.set_decision(session, version, f"lost experiment {key}: {judged.text}")
        await experiment_jobs.stop(services, key)
        logger.info("challenger v%d rejected: %s", version, judged.text)
        return Conclusion(key, "rejected", judged.text, version)
    return Conclusion(key, "running", judged.text, version)


async def conclude_running(services: Services) -> list[Conclusion]:
    """Every running model experiment concluded if it can be (housekeeping, daily)."""
    now = services.clock()
    keys = [
        e.key
        for e in (await services.experiments(fresh=True)).values()
        if e.models and e.status(now) == "running"
    ]
    return [await conclude(services, key) for key in sorted(keys)]
