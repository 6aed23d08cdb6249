"""Experiments as saved, each viewer's first exposure, and the outcomes the analysis reads.

An exposure is written once per viewer and experiment (the first time an arm was served);
what counts as a conversion is computed when results are read, from the events stored
after that exposure, so a late definition of the metric still reads the whole history.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, and_, bindparam, case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.experiments.definition import ArmSpec, Experiment, MetricSpec
from veneer.store.audit import record_change
from veneer.store.dialect import dialect_insert, numeric_property
from veneer.store.models import EventRow, ExperimentRow, ExposureRow, utcnow


def _experiment(row: ExperimentRow) -> Experiment:
    return Experiment(
        key=row.key,
        name=row.name,
        metric=row.metric,
        arms=tuple(
            ArmSpec(str(a["key"]), float(a["weight"]), bool(a.get("control"))) for a in row.arms
        ),
        seed=row.seed,
        traffic_share=row.traffic_share,
        guardrails=tuple(str(g) for g in row.guardrails),
        start=row.start,
        end=row.end,
        stopped_at=row.stopped_at,
        models={str(k): str(v) for k, v in (row.models or {}).items()},
    )


async def list_experiments(session: AsyncSession) -> list[Experiment]:
    rows = await session.scalars(select(ExperimentRow).order_by(ExperimentRow.key))
    return [_experiment(row) for row in rows]


async def get_experiment(session: AsyncSession, key: str) -> Experiment | None:
    row = await session.get(ExperimentRow, key)
    return None if row is None else _experiment(row)


async def save_experiment(session: AsyncSession, experiment: Experiment) -> Experiment:
    """Insert or replace the definition; the seed and creation time of an existing one stay,
    so re-applying a file never reshuffles who is in which arm."""
    row = await session.get(ExperimentRow, experiment.key, with_for_update=True)
    arms = [{"key": a.key, "weight": a.weight, "control": a.control} for a in experiment.arms]
    if row is None:
        row = ExperimentRow(key=experiment.key, seed=experiment.seed, created_at=utcnow())
        session.add(row)
    row.name = experiment.name
    row.metric = experiment.metric
    row.arms = arms
    row.traffic_share = experiment.traffic_share
    row.guardrails = list(experiment.guardrails)
    row.models = dict(experiment.models)
    row.start, row.end = experiment.start, experiment.end
    row.stopped_at = experiment.stopped_at
    row.updated_at = utcnow()
    record_change(
        session,
        "experiment.saved",
        experiment.key,
        {"metric": experiment.metric, "arms": arms, "trafficShare": experiment.traffic_share},
    )
    await session.flush()
    return _experiment(row)


async def stop_experiment(session: AsyncSession, key: str, now: datetime) -> Experiment | None:
    row = await session.get(ExperimentRow, key, with_for_update=True)
    if row is None:
        return None
    if row.stopped_at is None:
        row.stopped_at, row.updated_at = now, now
        record_change(session, "experiment.stopped", key)
    await session.flush()
    return _experiment(row)


async def record_exposures(
    session: AsyncSession, viewer_id: str, arms: Mapping[str, str], now: datetime
) -> None:
    """The viewer's first exposure to each experiment; a later one changes nothing."""
    if not arms:
        return
    rows = [
        {"experiment": key, "viewer_id": viewer_id, "arm": arm, "exposed_at": now}
        for key, arm in sorted(arms.items())
    ]
    await session.execute(
        dialect_insert(session)(ExposureRow)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["experiment", "viewer_id"])
    )


_EXPOSURES_OF = select(ExposureRow.experiment, ExposureRow.arm).where(
    ExposureRow.viewer_id == bindparam("viewer_id")
)  # read with every viewer record: built once


async def exposures_of(session: AsyncSession, viewer_id: str) -> dict[str, str]:
    rows = await session.execute(_EXPOSURES_OF, {"viewer_id": viewer_id})
    return {key: arm for key, arm in rows}


async def move_exposures(session: AsyncSession, source: str, target: str) -> int:
    """A device's exposures become the user's, unless the user was already exposed: then
    the user's arm stands (it is what their other devices show). Returns how many moved."""
    taken = set(
        await session.scalars(select(ExposureRow.experiment).where(ExposureRow.viewer_id == target))
    )
    rows = list(await session.scalars(select(ExposureRow).where(ExposureRow.viewer_id == source)))
    moved = [row for row in rows if row.experiment not in taken]
    for row in rows:
        await session.delete(row)
    await session.flush()
    rows_for_user = [
        {"experiment": r.experiment, "viewer_id": target, "arm": r.arm, "exposed_at": r.exposed_at}
        for r in moved
    ]
    if rows_for_user:  # a first exposure of the user's committing meanwhile wins
        await session.execute(
            dialect_insert(session)(ExposureRow)
            .values(rows_for_user)
            .on_conflict_do_nothing(index_elements=["experiment", "viewer_id"])
        )
    return len(moved)


async def exposure_records(session: AsyncSession, ids: Collection[str]) -> list[dict[str, Any]]:
    """A person's exposures, for their export."""
    rows = await session.scalars(
        select(ExposureRow)
        .where(ExposureRow.viewer_id.in_(list(ids)))
        .order_by(ExposureRow.exposed_at)
    )
    return [
        {"experiment": r.experiment, "arm": r.arm, "exposedAt": r.exposed_at.isoformat()}
        for r in rows
    ]


async def erase_exposures(session: AsyncSession, ids: Collection[str]) -> int:
    result = await session.execute(delete(ExposureRow).where(ExposureRow.viewer_id.in_(list(ids))))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Outcome:
    """One exposed viewer: their arm, when they were first exposed, when they first
    converted after that (None if not yet), the metric's value summed after exposure, and
    the same value before exposure (the CUPED covariate)."""

    arm: str
    exposed_at: datetime
    converted_at: datetime | None
    value: float
    before: float


def _per_viewer(key: str, metric: MetricSpec, dialect: str) -> Any:
    """One row per exposed viewer with their outcome, from a single pass over their events.

    For a conversion metric the value is 1 if they converted after exposure and the
    covariate 1 if they had before it; for a value metric both are sums.
    """
    after = EventRow.timestamp >= ExposureRow.exposed_at
    found = EventRow.id.is_not(None)
    if metric.value is None:
        value: Any = func.max(case((and_(found, after), 1.0), else_=0.0))
        before: Any = func.max(case((and_(found, ~after), 1.0), else_=0.0))
    else:
        amount = numeric_property(dialect, EventRow.properties, metric.value)
        value = func.sum(case((after, amount), else_=0.0))
        before = func.sum(case((after, 0.0), else_=amount))
    return (
        select(
            ExposureRow.viewer_id.label("viewer_id"),
            ExposureRow.arm.label("arm"),
            ExposureRow.exposed_at.label("exposed_at"),
            func.min(case((after, EventRow.timestamp))).label("converted_at"),
            func.coalesce(value, 0.0).label("value"),
            func.coalesce(before, 0.0).label("before"),
        )
        .select_from(ExposureRow)
        .outerjoin(
            EventRow,
            and_(EventRow.viewer_id == ExposureRow.viewer_id, EventRow.type == metric.event),
        )
        .where(ExposureRow.experiment == key)
        .group_by(ExposureRow.viewer_id, ExposureRow.arm, ExposureRow.exposed_at)
    )


async def outcomes(session: AsyncSession, key: str, metric: MetricSpec) -> list[Outcome]:
    """Every exposed viewer's outcome, for results over time (`veneer experiments report`)."""
    rows = await session.execute(_per_viewer(key, metric, _dialect(session)))
    return [
        Outcome(
            arm=row.arm,
            exposed_at=row.exposed_at,
            converted_at=_aware(row.converted_at),
            value=float(row.value),
            before=float(row.before),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ArmTotals:
    """Per arm: users, converters, and the sums the engine needs (value, its square, and the
    pre-exposure covariate's sum, square and cross-product with the value)."""

    arm: str
    users: int
    conversions: int
    total: float
    squares: float
    covariate_sum: float
    covariate_squares: float
    cross_sum: float


async def arm_totals(session: AsyncSession, key: str, metric: MetricSpec) -> list[ArmTotals]:
    """The aggregates of `outcomes`, summed by the database: one row per arm."""
    viewers = _per_viewer(key, metric, _dialect(session)).subquery()
    value, before = viewers.c.value.cast(Float), viewers.c.before.cast(Float)
    rows = await session.execute(
        select(
            viewers.c.arm,
            func.count(),
            func.count(viewers.c.converted_at),
            func.sum(value),
            func.sum(value * value),
            func.sum(before),
            func.sum(before * before),
            func.sum(value * before),
        )
        .group_by(viewers.c.arm)
        .order_by(viewers.c.arm)
    )
    return [
        ArmTotals(str(arm), int(users), int(conv), *(float(x or 0.0) for x in sums))
        for arm, users, conv, *sums in rows
    ]


def totals_of(outcomes: Iterable[Outcome]) -> list[ArmTotals]:
    """`arm_totals` summed from outcomes already read: a page that draws each day's
    outcomes needs the totals too, and need not read the viewers twice."""
    sums: dict[str, list[float]] = {}
    for row in outcomes:
        arm = sums.setdefault(row.arm, [0, 0, 0.0, 0.0, 0.0, 0.0, 0.0])
        arm[0] += 1
        arm[1] += row.converted_at is not None
        arm[2] += row.value
        arm[3] += row.value * row.value
        arm[4] += row.before
        arm[5] += row.before * row.before
        arm[6] += row.value * row.before
    return [
        ArmTotals(arm, int(s[0]), int(s[1]), s[2], s[3], s[4], s[5], s[6])
        for arm, s in sorted(sums.items())
    ]


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _aware(value: Any) -> datetime | None:
    """SQLite hands back an aggregate's timestamp as text: read it as the UTC it was stored."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def exposures_per_arm(session: AsyncSession) -> dict[str, dict[str, int]]:
    """Viewers exposed to each arm of every experiment: enough to check each split, and
    one grouped read of the exposures, with no events joined."""
    rows = await session.execute(
        select(ExposureRow.experiment, ExposureRow.arm, func.count()).group_by(
            ExposureRow.experiment, ExposureRow.arm
        )
    )
    found: dict[str, dict[str, int]] = {}
    for experiment, arm, n in rows:
        found.setdefault(experiment, {})[arm] = int(n)
    return found
