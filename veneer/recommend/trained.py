"""The champion model as a `Strategy`: what viewers who behaved like this one also took.

The model scores the viewer's history as it is at the request (the entry on screen first,
then their newest views and cart adds), not as it was when the model was trained, so a
click just made already moves the next answer, and a viewer the model never saw still gets
one. A model trained with user features also scores the viewer's segments (those the
request decided, holdouts left out) and first-party traits, so a viewer with no history yet
is scored from them; a viewer with neither gets nothing from it, and the fallbacks behind
it in the plan (segments' favourites, popular, new) answer for them.

Each history entry weighs what it weighed when the model was measured on its holdout: its
strongest interaction's type weight (``recommend_weights``), halved for every half-life it
is old (`strength`); so the figures the registry promoted on describe what is served.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from veneer.recommend.candidates import CART, VIEW, Candidate, Situation
from veneer.recommend.content_index import ContentIndex, title_of
from veneer.recommend.models.serving import Scored
from veneer.recommend.user_features import reason_for, viewer_features

POOL = 200  # results scored per request: enough for any page after filtering and diversity
ANCHOR_WEIGHT = 2.0  # the entry on screen, against a view made now: what matters right now
WEIGHTS: Mapping[str, float] = {VIEW: 1.0, "click": 1.0, CART: 2.0, "purchase": 3.0}
HALF_LIFE = timedelta(days=14)


def strength(
    kind: str, at: datetime, now: datetime, weights: Mapping[str, float], half_life: timedelta
) -> float:
    """How much one interaction says: its type's weight, halved every ``half_life`` of age
    (0 for a type that does not count). Training and serving weigh with this one formula."""
    age = max((now - at) / half_life, 0.0)
    return float(weights.get(kind, 0.0) * 2.0 ** (-age))


class Recommender(Protocol):
    """A served model: a `ServingModel`, or one that remembers its answers."""

    @property
    def recipe(self) -> str: ...

    def known_features(self, features: Collection[str]) -> tuple[str, ...]: ...

    def recommend(
        self,
        history: Sequence[str],
        n: int,
        skip: Collection[str] = (),
        weights: Sequence[float] = (),
        features: Sequence[str] = (),
    ) -> list[Scored]: ...


@dataclass(frozen=True)
class TrainedStrategy:
    """A served version of a trained model, e.g. ``EASE+LightFM:v7``."""

    model: Recommender
    version: int
    index: ContentIndex
    weights: Mapping[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    half_life: timedelta = HALF_LIFE

    @property
    def name(self) -> str:
        return f"{self.model.recipe}:v{self.version}"

    def _history(self, situation: Situation) -> tuple[list[str], list[float], set[str]]:
        """Distinct entries newest first, each by its strongest interaction, and which of
        them were added to the cart."""
        strongest: dict[str, float] = {}
        carted: set[str] = set()
        if situation.anchor is not None:
            strongest[situation.anchor.id] = ANCHOR_WEIGHT * self.weights.get(VIEW, 1.0)
        for item in situation.history:
            value = strength(item.kind, item.at, situation.now, self.weights, self.half_life)
            if value <= 0:
                continue
            strongest[item.entry_id] = max(value, strongest.get(item.entry_id, 0.0))
            if item.kind == CART:
                carted.add(item.entry_id)
        return list(strongest), list(strongest.values()), carted

    def candidates(self, situation: Situation) -> Iterator[Candidate]:
        ids, weights, carted = self._history(situation)
        described = viewer_features(situation.segments, situation.traits)
        features = self.model.known_features(described)
        if not ids and not features:
            return
        anchor = situation.anchor.id if situation.anchor is not None else None
        scored_list = self.model.recommend(ids, POOL, weights=weights, features=features)
        for scored in scored_list:
            if scored.entry_id not in self.index.entries:
                continue  # trained on, since unpublished or deleted in the CMS
            yield Candidate(
                scored.entry_id,
                scored.score,
                self._reason(scored, anchor, carted),
                self.name,
            )

    def _reason(self, scored: Scored, anchor: str | None, carted: set[str]) -> str:
        because = scored.because
        if scored.feature is not None:
            return reason_for(scored.feature)
        if because is None:
            return "popular now"  # a popularity model: nothing in the history is behind it
        entry = self.index.entries.get(because)
        if entry is None:
            return "based on what you viewed"  # an entry the CMS no longer serves
        title = title_of(entry)
        if because == anchor:
            return f"often chosen with *{title}*"
        if because in carted:
            return f"because you added *{title}* to your cart"
        return f"because you viewed *{title}*"
