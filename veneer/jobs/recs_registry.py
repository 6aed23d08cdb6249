"""Changing which recommendation model serves: the only ways in, so whatever must follow a
change (telling app servers to load the new champion) has one place to go.

Each is one transaction in the store: the old champion is retired and the new one crowned
together, and a failure in between leaves the champion as it was. Once committed, the change
is announced on the model bus, so every app process loads the new champion at once (each
also checks every ``recommend_model_check`` seconds, which covers a lost announcement).

A trained version is registered and, if it won, promoted in that same one transaction
(`register`): a process killed in between would leave a winner nobody promotes until the
next scheduled run, and a champion changed by hand while it trained would be overridden.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from veneer.jobs.recs_interactions import lapsed_since
from veneer.services import Services
from veneer.store import recommendation_models as registry
from veneer.store.recommendation_models import RegistryError

logger = logging.getLogger(__name__)

__all__ = [
    "Candidate",
    "Change",
    "Registered",
    "RegistryError",
    "promote",
    "prune",
    "register",
    "retire",
    "rollback",
]


@dataclass(frozen=True)
class Change:
    """The champion before and after (None: no champion)."""

    before: int | None
    after: int | None


async def promote(services: Services, version: int, decision: str | None = None) -> Change:
    """Make ``version`` the champion; `RegistryError` names why it cannot be."""
    async with services.db.session() as session:
        before = await registry.promote(session, version, services.clock())
        if decision is not None:
            await registry.set_decision(session, version, decision)
    logger.info("recommendation model %d promoted (was %s)", version, before)
    await services.model_bus.publish()
    return Change(before, version)


async def rollback(services: Services) -> Change:
    """Give the champion's place back to the version it replaced."""
    async with services.db.session() as session:
        before, after = await registry.rollback(session, services.clock())
    logger.info("recommendation model rolled back from %d to %d", before, after)
    await services.model_bus.publish()
    return Change(before, after)


async def retire(services: Services, version: int, decision: str) -> Change:
    """Stop serving ``version`` with nothing in its place (recommendations fall back to
    popularity): what happens when a champion must go and no replacement could be trained."""
    async with services.db.session() as session:
        await registry.retire(session, version)
        await registry.set_decision(session, version, decision)
    logger.warning("recommendation model %d retired: %s", version, decision)
    await services.model_bus.publish()
    return Change(version, None)


@dataclass(frozen=True)
class Candidate:
    """A trained version as it is registered; ``created_at`` is when its window was read."""

    recipe: str
    created_at: datetime
    metrics: dict[str, Any]
    params: dict[str, Any]
    data_window: dict[str, Any]
    viewers: Sequence[str]
    artifact: bytes
    directory: Path | None = None


@dataclass(frozen=True)
class Registered:
    """The version number, whether it became the champion, and the decision as recorded."""

    version: int
    promoted: bool
    decision: str
    erased: set[str] = field(default_factory=set)
    withdrawn: set[str] = field(default_factory=set)


async def register(
    services: Services,
    candidate: Candidate,
    *,
    measured: int | None,
    promoting: bool,
    decision: str,
) -> Registered:
    """Register ``candidate`` and, when ``promoting``, make it the champion, in one transaction.

    ``measured`` is the champion it was compared with. Inside the transaction, after its
    viewer list is written (so on SQLite a withdrawal or an erasure committing meanwhile
    waits for it, and then finds and marks this version itself):

    - viewers erased since the window was read leave its viewer list, and any erased or
      withdrawn since mark it for replacement by the deadline counted from the read, as
      their erasure or withdrawal marked every older version; a marked version is never
      promoted (nor can it be, by hand);
    - the champion is read again: if it is no longer the one measured (promoted or rolled
      back by hand meanwhile), the comparison no longer holds, and nothing is promoted.
    """
    now = services.clock()
    async with services.db.session() as session:
        version = await registry.register(
            session,
            recipe=candidate.recipe,
            created_at=candidate.created_at,
            metrics=candidate.metrics,
            params=candidate.params,
            data_window=candidate.data_window,
            decision=decision,
            viewers=candidate.viewers,
            artifact=candidate.artifact,
            directory=candidate.directory,
        )
        await registry.hold_privacy_lock(session)  # a withdrawal now waits, then marks it
        lapsed = await lapsed_since(services, session, sorted(set(candidate.viewers)))
        gone = lapsed.erased | lapsed.withdrawn
        if gone:
            wait = timedelta(seconds=services.settings.recommend_erasure_deadline)
            due = candidate.created_at + wait
            await registry.mark_retrain_due(session, sorted(gone), due)
            await registry.forget_viewers(session, sorted(lapsed.erased))
            decision = (
                f"not promoted: {len(lapsed.withdrawn)} viewer(s) withdrew RECOMMENDATIONS "
                f"and {len(lapsed.erased)} were erased while it trained, so it must be "
                f"replaced by {due.isoformat()} (it was {decision})"
            )
            promoting = False
        elif promoting and (current := await registry.champion_version(session)) != measured:
            decision = (
                f"not promoted: the champion changed from v{measured} to v{current} while it "
                f"trained, so it was measured against another model (it was {decision})"
            )
            promoting = False
        before = await registry.promote(session, version, now) if promoting else None
        await registry.set_decision(session, version, decision)
    if promoting:
        logger.info("recommendation model %d promoted (was %s)", version, before)
        await services.model_bus.publish()
    try:
        await prune(services)
    except Exception:  # the version is registered; pruning is tried again after the next one
        logger.exception("old recommendation model artifacts were not pruned")
    return Registered(version, promoting, decision, lapsed.erased, lapsed.withdrawn)


async def prune(services: Services) -> list[int]:
    """Delete the artifacts (and viewer lists) of versions that will not serve again, keeping
    ``recommend_keep_versions`` newest ones and rollback steps; returns the versions pruned.
    Without it a daily training would add a model's worth of bytes to the database a day."""
    settings = services.settings
    async with services.db.session() as session:
        pruned = await registry.prune(session, settings.recommend_keep_versions, services.clock())
    directory = settings.recommend_artifact_dir
    if directory is not None:
        for name in pruned.files:  # after the commit: a row never names a deleted file
            (directory / name).unlink(missing_ok=True)
    if pruned.versions:
        logger.info("recommendation model artifacts pruned: versions %s", pruned.versions)
    return pruned.versions
