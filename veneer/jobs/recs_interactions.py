"""What a recommendation model may learn from: consenting viewers' interactions in a window.

Read from the events the way popularity reads them (one row per viewer, entry and type),
kept only for viewers whose consent grants RECOMMENDATIONS now (decided as popularity
decides it), and weighed: each event type by ``recommend_weights``, halved every
``recommend_train_half_life_days``. A viewer and entry pair counts once, by its strongest
interaction, at its latest time. The strengths ride on the interactions, so every
candidate fits on them (see `Interactions.confidence`) as well as scoring histories by them.
The stored segments and traits of those who also grant PERSONALIZATION come along, as user
features.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.consent import ConsentState, Purpose
from veneer.jobs.popularity import consent_in, consent_of
from veneer.recommend.models.interactions import FloatArray, Interactions
from veneer.recommend.trained import strength
from veneer.recommend.user_features import viewer_features
from veneer.segments.holdout import in_holdout
from veneer.services import Services
from veneer.store.people import erased_among, owners_of
from veneer.store.popularity import interactions_between, memberships_of
from veneer.store.profiles import traits_of


@dataclass(frozen=True)
class Window:
    """The interactions read, each weighed by its strength."""

    since: datetime
    until: datetime
    interactions: Interactions
    skipped_viewers: int  # viewers with interactions but without RECOMMENDATIONS consent
    # Stored segments and traits of the viewers who also grant PERSONALIZATION (user
    # features): segments with when the viewer entered each (a timestamp), holdouts left out.
    segments: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    traits: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # theirs, stored

    def described(self, cutoffs: Mapping[str, float]) -> dict[str, frozenset[str]]:
        """Each viewer's user features: their traits, and their segments as they stood at
        their cutoff (all of them without one).

        A segment whose rule counts events may have been entered through the very events a
        split holds out; a viewer's segments from after their first held-out interaction
        would tell the model what it is measured on.
        """
        return {
            viewer: viewer_features(
                [
                    key
                    for key, since in self.segments.get(viewer, {}).items()
                    if since <= cutoffs.get(viewer, math.inf)
                ],
                self.traits.get(viewer, {}),
            )
            for viewer in {*self.segments, *self.traits}
        }

    @property
    def strengths(self) -> FloatArray:
        """Each interaction's strength, aligned with the interactions' rows."""
        strengths = self.interactions.strengths
        return np.ones(len(self.interactions)) if strengths is None else strengths

    def as_json(self) -> dict[str, object]:
        return {
            "from": self.since.isoformat(),
            "to": self.until.isoformat(),
            "interactions": len(self.interactions),
            "viewers": self.interactions.n_users,
            "items": self.interactions.n_items,
        }


def may_train(consent: Mapping[Purpose, ConsentState]) -> bool:
    """Whether a viewer's data may train a model: one decision for the window and the
    check at registration."""
    return consent[Purpose.RECOMMENDATIONS].granted


@dataclass(frozen=True)
class Lapsed:
    """Viewers of a window who may no longer train a model, read again at registration."""

    erased: set[str]
    withdrawn: set[str]


async def lapsed_since(services: Services, session: AsyncSession, viewers: Sequence[str]) -> Lapsed:
    """Who of ``viewers`` was erased or withdrew RECOMMENDATIONS since the window was read.

    Read in the registering transaction: a withdrawal or an erasure only marks the versions
    that already list the viewer, so one landing while a model trains would otherwise be
    missed. A device linked to a user since answers to the user's consent too: after the
    link the person decides for all their ids.
    """
    erased = await erased_among(session, viewers)
    present = [v for v in viewers if v not in erased]
    owners = await owners_of(session, present)
    asked = sorted(set(present) | set(owners.values()))
    consents = await consent_in(session, services.settings.consent_default, asked)
    withdrawn = {
        v
        for v in present
        if not may_train(consents[v]) or (v in owners and not may_train(consents[owners[v]]))
    }
    return Lapsed(erased, withdrawn)


async def read_window(services: Services, since: datetime, until: datetime) -> Window:
    """Consenting viewers' weighted interactions between ``since`` and ``until``."""
    settings = services.settings
    weights = {kind: w for kind, w in settings.recommend_weights.items() if w > 0}
    half_life = timedelta(days=settings.recommend_train_half_life_days)
    strongest: dict[tuple[str, str], float] = {}
    latest: dict[tuple[str, str], float] = {}
    async with services.db.reading() as session:
        async for viewer_id, interaction in interactions_between(
            session, since, until, tuple(weights)
        ):
            value = strength(interaction.kind, interaction.at, until, weights, half_life)
            key = (viewer_id, interaction.entry_id)
            strongest[key] = max(value, strongest.get(key, 0.0))
            latest[key] = max(interaction.at.timestamp(), latest.get(key, 0.0))
    viewers = sorted({viewer for viewer, _ in strongest})
    consents = await consent_of(services, viewers)
    allowed = {v for v in viewers if may_train(consents[v])}
    records = [(v, entry, at) for (v, entry), at in sorted(latest.items()) if v in allowed]
    interactions = Interactions.from_records(records)
    strengths = np.fromiter(
        (
            strongest[(interactions.user_ids[u], interactions.item_ids[i])]
            for u, i in zip(interactions.users, interactions.items, strict=True)
        ),
        dtype=np.float64,
        count=len(interactions),
    )
    # The models fit on these strengths too, not only score histories with them.
    weighed = interactions.weighed(strengths)
    placed = [v for v in sorted(allowed) if consents[v][Purpose.PERSONALIZATION].granted]
    async with services.db.reading() as session:
        memberships = await memberships_of(session, placed)
        traits = await traits_of(session, placed)
    definitions = await services.segment_definitions(fresh=True)
    segments = {
        viewer: {
            key: entered.timestamp()
            for key, entered in held.items()
            if key in definitions and not in_holdout(viewer, key, definitions[key].holdout)
        }
        for viewer, held in memberships.items()
    }
    return Window(since, until, weighed, len(viewers) - len(allowed), segments, traits)
