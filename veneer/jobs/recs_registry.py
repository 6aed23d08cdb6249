"""Changing which recommendation model serves: the only ways in, so whatever must follow a
change (telling app servers to load the new champion) has one place to go.

Each is one transaction in the store: the old champion is retired and the new one crowned
together, and a failure in between leaves the champion as it was. Once committed, the change
is announced on the model bus, so every app process loads the new champion at once (each
also checks every ``recommend_model_check`` seconds, which covers a lost announcement).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from veneer.services import Services
from veneer.store import recommendation_models as registry
from veneer.store.recommendation_models import RegistryError

logger = logging.getLogger(__name__)

__all__ = ["Change", "RegistryError", "promote", "retire", "rollback"]


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
