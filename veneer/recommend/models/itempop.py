"""ItemPop: everyone gets the most interacted-with items. The baseline every model must beat."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from veneer.recommend.models.interactions import FloatArray, IntArray, Interactions
from veneer.recommend.models.recipe import Scorer


@dataclass(frozen=True)
class PopularityScorer:
    counts: FloatArray

    def score(self, users: IntArray) -> FloatArray:
        return np.broadcast_to(self.counts, (len(users), len(self.counts))).copy()


@dataclass(frozen=True)
class ItemPop:
    name: str = "ItemPop"

    def memory(self, n_users: int, n_items: int) -> int:
        return n_items * 8

    def fit(self, train: Interactions, fitted: Mapping[str, Scorer]) -> PopularityScorer:
        # A purchase counts for more than a view when the interactions say so.
        counts = np.bincount(train.items, train.confidence(), minlength=train.n_items)
        return PopularityScorer(counts.astype(np.float64))
