"""EASE: a closed-form item-item model (Steck, "Embarrassingly Shallow Autoencoders", 2019).

B = I - P diagMat(1 / diag(P)) with P = (X^T X + lambda I)^-1: a ridge regression of every
item on all others with the diagonal held at zero. One dense inverse and no epochs, and on
small catalogues it is as accurate as anything trained for minutes. The price is the dense
items x items matrix (items^2 x 8 bytes, three of them while fitting: 50,000 items need
60 GB), so it only serves catalogues of a few tens of thousands of items.

With ``half_life`` set, a user's profile weighs their newest interactions most when scoring
(see ``recency``); the item-item weights are learned from the interactions' confidence
(binary when they carry no strengths) either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from veneer.recommend.models.interactions import FloatArray, IntArray, Interactions
from veneer.recommend.models.recency import recency_weights
from veneer.recommend.models.recipe import Scorer

# Chosen on validation splits of MovieLens 100k (bench/README.md); Steck reports 200-500
# for catalogues of this density.
DEFAULT_LAMBDA = 300.0


def item_weights(matrix: Any, lam: float) -> FloatArray:
    """The EASE item-item matrix B for a users x items (sparse) matrix."""
    gram = np.asarray((matrix.T @ matrix).toarray(), dtype=np.float64)
    gram[np.diag_indices_from(gram)] += lam
    inverse = np.linalg.inv(gram)
    weights = inverse / -np.diag(inverse)
    weights[np.diag_indices_from(weights)] = 0.0
    return weights


@dataclass(frozen=True, eq=False)
class EaseScorer:
    profiles: Any  # users x items CSR: which items, and how much each counts
    weights: FloatArray

    def score(self, users: IntArray) -> FloatArray:
        return np.asarray(self.profiles[users] @ self.weights)


@dataclass(frozen=True)
class Ease:
    name: str = "EASE"
    lam: float = DEFAULT_LAMBDA
    half_life: float | None = None  # recency-weighted profiles when set

    def memory(self, n_users: int, n_items: int) -> int:
        return 3 * n_items * n_items * 8

    def fit(self, train: Interactions, fitted: Mapping[str, Scorer]) -> EaseScorer:
        matrix = train.fitting_matrix()
        weights = item_weights(matrix, self.lam)
        if self.half_life is not None:
            matrix = train.matrix(recency_weights(train, self.half_life))
        return EaseScorer(matrix, weights)
