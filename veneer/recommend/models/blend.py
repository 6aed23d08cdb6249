"""Blends: a weighted sum of other candidates' scores, each z-scored per user first.

Models score on unrelated scales (EASE's regression weights, LightFM's dot products), so each
row is centred and divided by its spread before weighting; then "half and half" means what it
says. Models that are right about different users or items (an item-item regression and a
factorisation) make a blend that beats both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from veneer.recommend.models.interactions import FloatArray, IntArray, Interactions, Scores
from veneer.recommend.models.recipe import Scorer


def standardize(scores: Scores) -> FloatArray:
    """Each row to mean 0 and standard deviation 1 (a constant row becomes zeros)."""
    rows = np.asarray(scores, dtype=np.float64)
    centred = rows - rows.mean(axis=1, keepdims=True)
    spread = rows.std(axis=1, keepdims=True)
    standardized: FloatArray = np.divide(
        centred, spread, out=np.zeros_like(centred), where=spread > 0
    )
    return standardized


@dataclass(frozen=True, eq=False)
class BlendScorer:
    parts: tuple[tuple[Scorer, float], ...]

    def score(self, users: IntArray) -> FloatArray:
        total: FloatArray | None = None
        for scorer, weight in self.parts:
            part = weight * standardize(scorer.score(users))
            total = part if total is None else total + part
        assert total is not None
        return total


@dataclass(frozen=True)
class Blend:
    """Weights by candidate name; those candidates must be fitted first, on the same data."""

    name: str
    weights: tuple[tuple[str, float], ...]

    def __post_init__(self) -> None:
        if not self.weights:
            raise ValueError(f"blend {self.name} needs at least one part")

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.weights)

    def memory(self, n_users: int, n_items: int) -> int:
        return 0  # its parts are counted on their own

    def fit(self, train: Interactions, fitted: Mapping[str, Scorer]) -> BlendScorer:
        missing = [name for name in self.parts if name not in fitted]
        if missing:
            raise ValueError(f"blend {self.name} needs {', '.join(missing)} fitted first")
        return BlendScorer(tuple((fitted[name], weight) for name, weight in self.weights))
