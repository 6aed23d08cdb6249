"""Implicit ALS (Hu, Koren, Volinsky 2008) through the ``implicit`` package.

Matrix factorisation that treats every unobserved pair as a weak negative and every observed
one as a positive with confidence 1 + alpha. It scales to large catalogues (memory grows with
users + items, not items^2), where EASE cannot go. ``implicit`` comes from the ``recs`` extra
and is imported only when a model is fitted; its BLAS calls run single-threaded inside its own
threads, as it asks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.lightfm_model import FactorScorer
from veneer.recommend.models.recipe import Scorer


@dataclass(frozen=True)
class Als:
    name: str = "ALS"
    factors: int = 64
    regularization: float = 0.1
    alpha: float = 1.0
    iterations: int = 15
    seed: int = 42
    threads: int = 2

    def memory(self, n_users: int, n_items: int) -> int:
        return 2 * 4 * (n_users + n_items) * self.factors

    def fit(self, train: Interactions, fitted: Mapping[str, Scorer]) -> FactorScorer:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                random_state=self.seed,
                num_threads=self.threads,
            )
            # Confidence 1 + alpha * c: a purchase is surer evidence than a glance.
            model.fit(train.fitting_matrix().astype(np.float32).tocsr(), show_progress=False)
        return FactorScorer(
            np.asarray(model.user_factors, dtype=np.float32),
            np.asarray(model.item_factors, dtype=np.float32),
            np.zeros(train.n_items, dtype=np.float32),
        )
