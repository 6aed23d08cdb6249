"""The recommendation model registry: every trained version, which one serves, and whose data
trained each.

Exactly one version is the champion at a time: promotion and rollback change two rows in one
transaction, and a partial unique index on ``status = 'champion'`` refuses a second champion
even from two processes at once. A version is registered whole (row, viewer list, artifact)
in one transaction, or not at all. Requests only ever call `champion_version` (one indexed
row) and `read_artifact`.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.audit import record_change
from veneer.store.models import RecommendationModelRow, RecommendationModelViewerRow

CANDIDATE, CHAMPION, RETIRED = "candidate", "champion", "retired"
CHUNK = 5_000  # viewer rows per INSERT, ids per IN (...)


class RegistryError(ValueError):
    """A registry operation that cannot be done, with the reason a person can act on."""


@dataclass(frozen=True)
class ModelVersion:
    """A registered version as listed: everything but the artifact's bytes."""

    version: int
    recipe: str
    status: str
    created_at: datetime
    promoted_at: datetime | None
    replaced: int | None
    retrain_due: datetime | None
    pruned_at: datetime | None
    metrics: dict[str, Any]
    params: dict[str, Any]
    data_window: dict[str, Any]
    artifact_path: str | None
    decision: str


def _version(row: RecommendationModelRow) -> ModelVersion:
    return ModelVersion(
        version=row.version,
        recipe=row.recipe,
        status=row.status,
        created_at=row.created_at,
        promoted_at=row.promoted_at,
        replaced=row.replaced,
        retrain_due=row.retrain_due,
        pruned_at=row.pruned_at,
        metrics=dict(row.metrics),
        params=dict(row.params),
        data_window=dict(row.data_window),
        artifact_path=row.artifact_path,
        decision=row.decision,
    )


async def champion_version(session: AsyncSession) -> int | None:
    """The version serving now, or None; one row through the champion index."""
    found = await session.scalar(
        select(RecommendationModelRow.version).where(RecommendationModelRow.status == CHAMPION)
    )
    return None if found is None else int(found)


async def get_version(session: AsyncSession, version: int) -> ModelVersion | None:
    row = await session.get(RecommendationModelRow, version)
    return None if row is None else _version(row)


async def champion(session: AsyncSession) -> ModelVersion | None:
    row = await session.scalar(
        select(RecommendationModelRow).where(RecommendationModelRow.status == CHAMPION)
    )
    return None if row is None else _version(row)


async def list_versions(session: AsyncSession) -> list[ModelVersion]:
    """Every version, newest first."""
    rows = await session.scalars(
        select(RecommendationModelRow).order_by(RecommendationModelRow.version.desc())
    )
    return [_version(row) for row in rows]


async def read_artifact(session: AsyncSession, version: int, directory: Path | None) -> bytes:
    """The version's serving model: its blob, or its file under the configured directory."""
    query = select(RecommendationModelRow.artifact, RecommendationModelRow.artifact_path)
    row = (await session.execute(query.where(RecommendationModelRow.version == version))).first()
    if row is None:
        raise RegistryError(f"no recommendation model version {version}")
    blob, name = row
    if blob is None and name is None and await _pruned(session, version):
        raise RegistryError(f"version {version} was pruned: its artifact was deleted")
    if blob is not None:
        return bytes(blob)
    if name is None:
        raise RegistryError(f"version {version} has no artifact")
    base = directory
    if base is None:
        raise RegistryError(
            f"version {version} is stored as the file {name}, and "
            "VENEER_RECOMMEND_ARTIFACT_DIR is not set"
        )
    return (base / name).read_bytes()


async def _pruned(session: AsyncSession, version: int) -> bool:
    when = await session.scalar(
        select(RecommendationModelRow.pruned_at).where(RecommendationModelRow.version == version)
    )
    return when is not None


def _refuse_pruned(row: RecommendationModelRow, doing: str) -> None:
    if row.pruned_at is not None:
        raise RegistryError(
            f"cannot {doing} version {row.version}: it was pruned (its artifact deleted) "
            f"on {row.pruned_at.date().isoformat()}; train a new version instead"
        )


def _write_file(directory: Path, name: str, data: bytes) -> None:
    """Write whole or not at all: a reader never sees half a file under the final name."""
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{name}.partial"
    partial.write_bytes(data)
    os.replace(partial, directory / name)


async def register(
    session: AsyncSession,
    *,
    recipe: str,
    created_at: datetime,
    metrics: Mapping[str, Any],
    params: Mapping[str, Any],
    data_window: Mapping[str, Any],
    decision: str,
    viewers: Iterable[str],
    artifact: bytes,
    directory: Path | None = None,
) -> int:
    """Add a candidate version with its viewers and artifact; returns its version number.

    Everything is written in the caller's transaction, so a failure anywhere leaves no row.
    With ``directory`` the artifact is a file there, written last; if the transaction then
    fails, the file is an orphan no row names (on SQLite the next version reuses its name).
    """
    row = RecommendationModelRow(
        recipe=recipe,
        status=CANDIDATE,
        created_at=created_at,
        metrics=dict(metrics),
        params=dict(params),
        data_window=dict(data_window),
        decision=decision,
        artifact=None if directory is not None else artifact,
    )
    session.add(row)
    await session.flush()
    version = row.version
    ids = sorted(set(viewers))
    for first in range(0, len(ids), CHUNK):
        await session.execute(
            insert(RecommendationModelViewerRow),
            [{"version": version, "profile_id": p} for p in ids[first : first + CHUNK]],
        )
    if directory is not None:
        name = f"recommendation-model-{version}.npz"
        _write_file(directory, name, artifact)
        row.artifact_path = name
    await session.flush()
    return version


async def set_decision(session: AsyncSession, version: int, decision: str) -> None:
    await session.execute(
        update(RecommendationModelRow)
        .where(RecommendationModelRow.version == version)
        .values(decision=decision)
    )


async def _row(session: AsyncSession, version: int) -> RecommendationModelRow:
    row = await session.get(RecommendationModelRow, version, with_for_update=True)
    if row is None:
        known = await session.scalars(
            select(RecommendationModelRow.version).order_by(RecommendationModelRow.version)
        )
        listed = ", ".join(str(v) for v in known) or "none yet"
        raise RegistryError(f"no recommendation model version {version}; versions: {listed}")
    return row


async def promote(session: AsyncSession, version: int, now: datetime) -> int | None:
    """Make ``version`` the champion; returns the version it replaced (None: there was none).

    The old champion is retired first and flushed, so the one-champion index never sees two.
    """
    target = await _row(session, version)
    if target.status == CHAMPION:
        raise RegistryError(f"version {version} is already the champion")
    _refuse_pruned(target, "promote")
    if target.retrain_due is not None:
        raise RegistryError(
            f"version {version} was trained on data of a viewer who has since withdrawn "
            "consent or been erased; train a new version instead"
        )
    current = await session.scalar(
        select(RecommendationModelRow)
        .where(RecommendationModelRow.status == CHAMPION)
        .with_for_update()
    )
    previous = None
    if current is not None:
        previous = current.version
        current.status = RETIRED
        await session.flush()
    target.status = CHAMPION
    target.promoted_at = now
    target.replaced = previous
    record_change(session, "model.promoted", str(version), {"replaced": previous})
    await session.flush()
    return previous


async def rollback(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """Give the champion's place back to the version it replaced; returns (from, to)."""
    current = await session.scalar(
        select(RecommendationModelRow)
        .where(RecommendationModelRow.status == CHAMPION)
        .with_for_update()
    )
    if current is None:
        raise RegistryError("there is no champion to roll back")
    if current.replaced is None:
        raise RegistryError(
            f"nothing to roll back to: version {current.version} is the first champion"
        )
    target = await _row(session, current.replaced)
    _refuse_pruned(target, "roll back to")
    if target.retrain_due is not None:
        raise RegistryError(
            f"cannot roll back to version {target.version}: it was trained on data of a "
            "viewer who has since withdrawn consent or been erased"
        )
    current.status = RETIRED
    await session.flush()
    target.status = CHAMPION
    target.promoted_at = now  # keeps ``replaced``, so a second rollback goes further back
    record_change(session, "model.rolled_back", str(target.version), {"from": current.version})
    await session.flush()
    return current.version, target.version


async def versions_trained_on(session: AsyncSession, profile_ids: Collection[str]) -> list[int]:
    """The versions whose training data included any of these profiles."""
    found: set[int] = set()
    ids = sorted(set(profile_ids))
    for first in range(0, len(ids), CHUNK):
        found |= set(
            await session.scalars(
                select(RecommendationModelViewerRow.version).where(
                    RecommendationModelViewerRow.profile_id.in_(ids[first : first + CHUNK])
                )
            )
        )
    return sorted(found)


# Any fixed 64-bit number, the same in every process: the registry's privacy lock.
PRIVACY_LOCK = 0x7665_6E65_6572_0011


async def hold_privacy_lock(session: AsyncSession) -> None:
    """Serialize registering a version with marking versions after a withdrawal or erasure,
    until the transaction ends.

    On PostgreSQL (read committed) a withdrawal committing while a version registers could
    otherwise miss both ways: the registration read the viewer's consent before the
    withdrawal committed, and the withdrawal looked for versions listing the viewer before
    the registration committed. Under the lock one of them runs after the other commits, and
    sees it. SQLite runs one writer at a time, which serializes them already.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PRIVACY_LOCK})


async def mark_retrain_due(
    session: AsyncSession, profile_ids: Collection[str], due: datetime
) -> list[int]:
    """Mark every version these profiles trained as due for replacement by ``due`` (an
    earlier mark stays); returns the versions marked."""
    await hold_privacy_lock(session)
    versions = await versions_trained_on(session, profile_ids)
    if versions:
        await session.execute(
            update(RecommendationModelRow)
            .where(
                RecommendationModelRow.version.in_(versions),
                or_(
                    RecommendationModelRow.retrain_due.is_(None),
                    RecommendationModelRow.retrain_due > due,
                ),
            )
            .values(retrain_due=due)
        )
    return versions


async def forget_viewers(session: AsyncSession, profile_ids: Collection[str]) -> int:
    """Remove the profiles from every version's viewer list; returns the rows removed."""
    removed = 0
    ids = sorted(set(profile_ids))
    for first in range(0, len(ids), CHUNK):
        result = await session.execute(
            delete(RecommendationModelViewerRow).where(
                RecommendationModelViewerRow.profile_id.in_(ids[first : first + CHUNK])
            )
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


async def viewers_of(session: AsyncSession, version: int) -> set[str]:
    return set(
        await session.scalars(
            select(RecommendationModelViewerRow.profile_id).where(
                RecommendationModelViewerRow.version == version
            )
        )
    )


async def viewer_count(session: AsyncSession, version: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(RecommendationModelViewerRow.version == version)
        )
        or 0
    )


async def record_check(session: AsyncSession, version: int, name: str, check: Any) -> None:
    """Keep the latest ``name`` check (drift, say) in the version's metrics."""
    row = await _row(session, version)
    row.metrics = {**row.metrics, name: check}
    await session.flush()


async def retire(session: AsyncSession, version: int) -> None:
    row = await _row(session, version)
    row.status = RETIRED
    await session.flush()


async def latest_created_at(session: AsyncSession) -> datetime | None:
    found: datetime | None = await session.scalar(
        select(func.max(RecommendationModelRow.created_at))
    )
    return found


@dataclass(frozen=True)
class Pruned:
    """The versions pruned, and their artifact files to delete once the transaction commits
    (a file deleted before a rollback would leave a row naming nothing)."""

    versions: list[int]
    files: list[str]


async def prune(session: AsyncSession, keep: int, now: datetime) -> Pruned:
    """Delete the artifacts and viewer lists of versions that will not serve again.

    Kept: the champion, the ``keep`` newest versions (the next candidates to promote by hand,
    and what a run just registered, whatever its state), and the versions a rollback would
    step back through, up to ``keep`` steps; a step marked for replacement is not kept for
    that, since a rollback to it is refused. A pruned version keeps its row and figures, so
    the history of what was trained and how it scored stays readable; it holds nobody's data
    any more.
    """
    rows = list(
        await session.scalars(
            select(RecommendationModelRow)
            .where(RecommendationModelRow.pruned_at.is_(None))
            .order_by(RecommendationModelRow.version.desc())
            .with_for_update()
        )
    )
    by_version = {row.version: row for row in rows}
    kept = {row.version for row in rows[:keep]}
    champion = next((row for row in rows if row.status == CHAMPION), None)
    step = champion
    for _ in range(keep + 1):
        if step is None:
            break
        if step.status == CHAMPION or step.retrain_due is None:  # a rollback refuses the rest
            kept.add(step.version)
        step = by_version.get(step.replaced) if step.replaced is not None else None
    files = []
    pruned = [row for row in rows if row.version not in kept and row.status != CHAMPION]
    for row in pruned:
        if row.artifact_path is not None:
            files.append(row.artifact_path)
        row.artifact = None
        row.artifact_path = None
        row.pruned_at = now
    if pruned:
        await session.flush()
        await session.execute(
            delete(RecommendationModelViewerRow).where(
                RecommendationModelViewerRow.version.in_([row.version for row in pruned])
            )
        )
    return Pruned(sorted(row.version for row in pruned), files)
