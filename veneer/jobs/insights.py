"""What each Insights page shows, gathered from the store and the analyses Veneer already has.

Each function returns plain figures for one page; the page draws them. Nothing here is on the
request path of the API: these are read by a few people now and then, so they favour one clear
query per figure over caching.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from veneer.events.quality import QualityRow, build_report
from veneer.experiments.decision import Verdict, verdict
from veneer.experiments.definition import Experiment
from veneer.jobs import experiments as experiment_jobs
from veneer.jobs.segment_validation import validate_segment
from veneer.services import Services
from veneer.statistics.proportions import Comparison
from veneer.store import audit as audit_store
from veneer.store import consent as consent_store
from veneer.store import experiments as experiment_store
from veneer.store import recommendation_models as registry
from veneer.store.models import AuditRow
from veneer.store.quality import counts_since
from veneer.store.segment_sizes import DayTrend, sizes, trends
from veneer.store.triggers import TriggerActivity, trigger_activity

if TYPE_CHECKING:  # the engine loads scipy: only a page that analyses pays
    from veneer.experiments.analysis import Analysis

PRECISION, NDCG = "precision@10", "ndcg@10"


def _start_of(now: datetime, days: int) -> datetime:
    """Midnight UTC at the start of the first of the last ``days`` days."""
    first = now.date() - timedelta(days=days - 1)
    return datetime.combine(first, datetime.min.time(), now.tzinfo)


@dataclass(frozen=True)
class SegmentInsight:
    key: str
    name: str
    size: int
    holdout: float
    trend: list[DayTrend]
    validation: Comparison | None  # members against their holdout, on the chosen metric


async def segments(services: Services, metric: str, days: int) -> list[SegmentInsight]:
    definitions = await services.segment_definitions(fresh=True)
    keys = sorted(definitions)
    async with services.db.reading() as session:
        kept = await sizes(session)
        moves = await trends(session, keys, services.clock(), days) if keys else {}
    found = []
    for key in keys:
        definition = definitions[key]
        validation = None
        if definition.holdout > 0:
            validation = await validate_segment(services, key, metric)
        found.append(
            SegmentInsight(
                key, definition.name, kept.get(key, 0), definition.holdout, moves[key], validation
            )
        )
    return found


@dataclass(frozen=True)
class ArmDay:
    """One arm's lift against control at the end of one day, with its interval."""

    day: date
    lift: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ExperimentInsight:
    experiment: Experiment
    status: str
    analysis: Analysis
    verdict: Verdict
    users: dict[str, int]
    conversions: dict[str, int]
    days: list[date]
    lifts: dict[str, list[ArmDay]]  # per arm but control

    @property
    def srm_warning(self) -> bool:
        return not self.analysis.trustworthy


async def experiments(services: Services) -> list[ExperimentInsight]:
    """Every experiment with its analysis, verdict, and lift day by day."""
    now = services.clock()
    found = []
    async with services.db.reading() as session:
        listed = await experiment_store.list_experiments(session)
    for experiment in sorted(listed, key=lambda e: e.key):
        both = await experiment_jobs.results_and_days(
            services, experiment.key, bayesian_figures=False
        )
        if both is None:
            continue  # deleted since it was listed
        results, days = both
        lifts: dict[str, list[ArmDay]] = {}
        for day in days:
            for comparison in day.analysis.comparisons:
                low, high = comparison.ci
                lifts.setdefault(comparison.arm, []).append(
                    ArmDay(day.day, comparison.lift, low, high)
                )
        found.append(
            ExperimentInsight(
                experiment,
                experiment.status(now),
                results.analysis,
                verdict(results.analysis, results.guardrails),
                {t.arm: t.users for t in results.totals},
                {t.arm: t.conversions for t in results.totals},
                [day.day for day in days],
                lifts,
            )
        )
    # Broken splits first: no other figure on the page means anything until they are fixed.
    return sorted(found, key=lambda e: (not e.srm_warning, e.experiment.key))


@dataclass(frozen=True)
class Split:
    """An experiment as the overview lists it: its status, and whether its split is broken."""

    key: str
    status: str
    srm_p_value: float | None
    broken: bool


async def splits(services: Services) -> list[Split]:
    """Every experiment's status and sample-ratio check, from exposure counts alone."""
    # scipy and statsmodels load here, not when the app starts (as in `jobs.experiments`).
    from veneer.statistics.multiple import SRM_ALPHA, sample_ratio_p_value

    now = services.clock()
    async with services.db.reading() as session:
        listed = await experiment_store.list_experiments(session)
        exposed = await experiment_store.exposures_per_arm(session)
    found = []
    for experiment in sorted(listed, key=lambda e: e.key):
        counts = exposed.get(experiment.key, {})
        users = [counts.get(arm.key, 0) for arm in experiment.arms]
        weights = [arm.weight for arm in experiment.arms]
        p_value = sample_ratio_p_value(users, weights)
        broken = p_value is not None and p_value < SRM_ALPHA
        found.append(Split(experiment.key, experiment.status(now), p_value, broken))
    return found


@dataclass(frozen=True)
class ModelInsight:
    version: int
    recipe: str
    status: str
    created_at: datetime
    promoted_at: datetime | None
    decision: str
    precision: float | None
    ndcg: float | None
    drift: dict[str, Any] | None

    @property
    def drifted(self) -> bool:
        return bool(self.drift and self.drift.get("drifted"))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


async def recommendation_models(services: Services) -> list[ModelInsight]:
    """Every registered version, oldest first, with its holdout figures and drift check."""
    async with services.db.reading() as session:
        versions = await registry.list_versions(session)
    found = []
    for v in sorted(versions, key=lambda v: v.version):
        chosen = v.metrics.get("chosen") or {}
        drift = v.metrics.get("drift")
        found.append(
            ModelInsight(
                v.version,
                v.recipe,
                v.status,
                v.created_at,
                v.promoted_at,
                v.decision,
                _number(chosen.get(PRECISION)),
                _number(chosen.get(NDCG)),
                drift if isinstance(drift, dict) else None,
            )
        )
    return found


@dataclass(frozen=True)
class TriggerInsight:
    key: str
    name: str | None
    live: bool
    daily_cap: int | None
    activity: TriggerActivity

    @property
    def conversion_rate(self) -> float | None:
        viewers = self.activity.viewers
        return self.activity.converted / viewers if viewers else None


async def triggers(services: Services, metric: str, days: int) -> list[TriggerInsight]:
    now = services.clock()
    defined = await services.trigger_definitions(fresh=True)
    caps = {t.key: t.per_day for t in defined if t.per_day}
    async with services.db.reading() as session:
        activity = await trigger_activity(session, _start_of(now, days), caps, metric)
    return [
        TriggerInsight(
            t.key, t.name, t.is_live(now), t.per_day, activity.get(t.key, TriggerActivity({}))
        )
        for t in sorted(defined, key=lambda t: t.key)
    ]


async def quality(services: Services, days: int) -> list[QualityRow]:
    """Event quality per source and type over the last ``days`` days (`eventQuality` too)."""
    await services.quality.flush(services.db)  # this process's latest counts too
    since = (services.clock() - timedelta(days=days - 1)).date()
    async with services.db.reading() as session:
        counters = await counts_since(session, since)
    return build_report(counters, services.settings.quality_alert_threshold)


@dataclass(frozen=True)
class ConsentDay:
    day: date
    granted: dict[str, float | None] = field(default_factory=dict)  # share of that day's


@dataclass(frozen=True)
class ConsentInsight:
    shares: consent_store.ConsentShares
    days: list[ConsentDay]

    def share(self, purpose: str) -> float | None:
        granted, deciding = self.shares.purposes.get(purpose, (0, 0))
        return granted / deciding if deciding else None

    @property
    def gpc_share(self) -> float | None:
        return self.shares.gpc / self.shares.viewers if self.shares.viewers else None


async def consent(services: Services, purposes: Sequence[str], days: int) -> ConsentInsight:
    now = services.clock()
    async with services.db.reading() as session:
        shares = await consent_store.consent_shares(session)
        daily = await consent_store.decisions_by_day(session, _start_of(now, days))
    by_day: dict[date, dict[str, tuple[int, int]]] = {}
    for on, purpose, granted, n in daily:
        by_day.setdefault(on, {})[purpose] = (granted, n)
    series = []
    for back in range(days - 1, -1, -1):
        on = now.date() - timedelta(days=back)
        counts = by_day.get(on, {})
        series.append(
            ConsentDay(
                on,
                {
                    p: (counts[p][0] / counts[p][1]) if counts.get(p, (0, 0))[1] else None
                    for p in purposes
                },
            )
        )
    return ConsentInsight(shares, series)


async def audit_log(services: Services, limit: int, before: int | None) -> list[AuditRow]:
    async with services.db.reading() as session:
        return await audit_store.changes(session, limit, before)
