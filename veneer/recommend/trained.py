"""The champion model as a `Strategy`: what viewers who behaved like this one also took.

The model scores the viewer's history as it is at the request (the entry on screen first,
then their newest views and cart adds), not as it was when the model was trained, so a
click just made already moves the next answer, and a viewer the model never saw still gets
one. A viewer with no history at all gets nothing from it; the fallbacks behind it in the
plan (segments' favourites, popular, new) answer for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from veneer.recommend.candidates import CART, Candidate, Situation
from veneer.recommend.content_index import ContentIndex, title_of
from veneer.recommend.models.serving import ServingModel

POOL = 200  # results scored per request: enough for any page after filtering and diversity
CART_WEIGHT = 1.5  # a cart add says more about a viewer's interest than a view
ANCHOR_WEIGHT = 2.0  # the entry on screen is what the viewer is interested in right now


@dataclass(frozen=True)
class TrainedStrategy:
    """A served version of a trained model, e.g. ``EASE+LightFM:v7``."""

    model: ServingModel
    version: int
    index: ContentIndex

    @property
    def name(self) -> str:
        return f"{self.model.recipe}:v{self.version}"

    def _history(self, situation: Situation) -> tuple[list[str], list[float], set[str]]:
        """Distinct entries newest first, their weights, and which were cart adds."""
        ids: list[str] = []
        weights: list[float] = []
        carted: set[str] = set()
        position: dict[str, int] = {}
        if situation.anchor is not None:
            position[situation.anchor.id] = 0
            ids.append(situation.anchor.id)
            weights.append(ANCHOR_WEIGHT)
        for item in situation.history:
            if item.entry_id not in position:
                position[item.entry_id] = len(ids)
                ids.append(item.entry_id)
                weights.append(1.0)
            if item.kind == CART and item.entry_id not in carted:
                carted.add(item.entry_id)
                weights[position[item.entry_id]] *= CART_WEIGHT
        return ids, weights, carted

    def candidates(self, situation: Situation) -> Iterator[Candidate]:
        ids, weights, carted = self._history(situation)
        if not ids:
            return
        anchor = situation.anchor.id if situation.anchor is not None else None
        for scored in self.model.recommend(ids, POOL, weights=weights):
            if scored.entry_id not in self.index.entries:
                continue  # trained on, since unpublished or deleted in the CMS
            yield Candidate(
                scored.entry_id,
                scored.score,
                self._reason(scored.because, anchor, carted),
                self.name,
            )

    def _reason(self, because: str | None, anchor: str | None, carted: set[str]) -> str:
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
