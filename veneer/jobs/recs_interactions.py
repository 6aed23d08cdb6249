"""What a recommendation model may learn from: consenting viewers' interactions in a window.

Read from the events the way popularity reads them (one row per viewer, entry and type),
kept only for viewers whose consent grants RECOMMENDATIONS now (decided as popularity
decides it), and weighed: each event type by ``recommend_weights``, halved every
``recommend_train_half_life_days``. A viewer and entry pair counts once, by its strongest
interaction, at its latest time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from veneer.consent import Purpose
from veneer.jobs.popularity import consent_of
from veneer.recommend.models.interactions import FloatArray, Interactions
from veneer.recommend.trained import strength
from veneer.services import Services
from veneer.store.popularity import interactions_between


@dataclass(frozen=True)
class Window:
    """The interactions read, with their weights (aligned with the interactions' rows)."""

    since: datetime
    until: datetime
    interactions: Interactions
    strengths: FloatArray
    skipped_viewers: int  # viewers with interactions but without RECOMMENDATIONS consent

    def as_json(self) -> dict[str, object]:
        return {
            "from": self.since.isoformat(),
            "to": self.until.isoformat(),
            "interactions": len(self.interactions),
            "viewers": self.interactions.n_users,
            "items": self.interactions.n_items,
        }


async def read_window(services: Services, since: datetime, until: datetime) -> Window:
    """Consenting viewers' weighted interactions between ``since`` and ``until``."""
    settings = services.settings
    weights = {kind: w for kind, w in settings.recommend_weights.items() if w > 0}
    half_life = timedelta(days=settings.recommend_train_half_life_days)
    strongest: dict[tuple[str, str], float] = {}
    latest: dict[tuple[str, str], float] = {}
    async with services.db.session() as session:
        async for viewer_id, interaction in interactions_between(
            session, since, until, tuple(weights)
        ):
            value = strength(interaction.kind, interaction.at, until, weights, half_life)
            key = (viewer_id, interaction.entry_id)
            strongest[key] = max(value, strongest.get(key, 0.0))
            latest[key] = max(interaction.at.timestamp(), latest.get(key, 0.0))
    viewers = sorted({viewer for viewer, _ in strongest})
    consents = await consent_of(services, viewers)
    allowed = {v for v in viewers if consents[v][Purpose.RECOMMENDATIONS].granted}
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
    return Window(since, until, interactions, strengths, len(viewers) - len(allowed))
