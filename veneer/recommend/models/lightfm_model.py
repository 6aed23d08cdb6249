"""LightFM with the WARP loss: user and item embeddings trained to rank positives first.

WARP samples negatives until one outranks the positive, so it spends its updates on the top
of the list, which is what precision@10 measures. Item features (tags, categories) are
optional and make it a hybrid: a new item with features gets a sensible embedding. User
features (the viewer's segments) are optional too: each segment gets an embedding that
serving adds for a viewer in it, history or not (see `serving`). Without
regularisation WARP overfits ML-100k in about 20 epochs; with item_alpha = user_alpha = 1e-3
it keeps improving to about 50.

``lightfm`` comes from the ``recs`` extra (the maintained ``lightfm-next`` fork), imported
only when a model is fitted. With more than one thread LightFM updates in parallel without
locks (Hogwild), so only ``threads=1`` repeats a fit bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from veneer.recommend.models.interactions import IntArray, Interactions, Scores
from veneer.recommend.models.recipe import Scorer


@dataclass(frozen=True, eq=False)
class FactorScorer:
    """Scores as user factors . item factors + item bias: what LightFM and ALS both produce.

    Kept in float32, as both libraries train them: scoring a viewer reads every item's
    factors, and at 50,000 items x 64 factors that is 13 MB a request instead of 26.
    Trained with user features, it also keeps each segment's embedding and the mean length
    of the viewers' representations, the scale serving puts a folded-in history on beside
    them.
    """

    user_factors: NDArray[np.float32]
    item_factors: NDArray[np.float32]
    item_bias: NDArray[np.float32]
    feature_names: tuple[str, ...] = ()
    feature_factors: NDArray[np.float32] | None = None
    user_norm: float = 0.0

    def score(self, users: IntArray) -> Scores:
        return np.asarray(self.user_factors[users] @ self.item_factors.T + self.item_bias)


@dataclass(frozen=True, eq=False)
class LightFm:
    name: str = "LightFM"
    components: int = 64
    epochs: int = 50
    learning_rate: float = 0.05
    item_alpha: float = 1e-3
    user_alpha: float = 1e-3
    seed: int = 42
    threads: int = 2
    item_features: Any = None  # items x features sparse matrix, identity columns added
    user_features: Any = None  # users x segments sparse matrix, identity columns added
    feature_names: tuple[str, ...] = ()  # the segment of each user_features column
    # At most this many interactions visited per fit (epochs x interactions): an epoch over
    # 1M interactions takes about 3.5 s on 2 cores, so a large set gets fewer epochs and a
    # fit stays near a minute; a set the size of MovieLens 100k gets all 50.
    max_updates: int = 15_000_000

    def epochs_for(self, interactions: int) -> int:
        """The epochs a fit on this many interactions runs: ``epochs`` within the budget."""
        return max(1, min(self.epochs, self.max_updates // max(interactions, 1)))

    def memory(self, n_users: int, n_items: int) -> int:
        given = (self.item_features, self.user_features)
        features = sum(int(f.shape[1]) for f in given if f is not None)
        # embeddings, biases and their Adagrad accumulators, as float32
        return 4 * 4 * (n_users + n_items + features) * (self.components + 1)

    def fit(self, train: Interactions, fitted: Mapping[str, Scorer]) -> FactorScorer:
        from lightfm import LightFM

        model = LightFM(
            no_components=self.components,
            loss="warp",
            learning_rate=self.learning_rate,
            item_alpha=self.item_alpha,
            user_alpha=self.user_alpha,
            random_state=np.random.RandomState(self.seed),
        )
        features = _with_identity(self.item_features, train.n_items, "item")
        users = _with_identity(self.user_features, train.n_users, "user")
        confidence = train.confidence()
        model.fit(
            train.matrix().tocoo(),
            item_features=features,
            user_features=users,
            # WARP scales each positive's update by its weight; the COO built from the same
            # CSR pattern lists the pairs in the order LightFM requires.
            sample_weight=None if confidence is None else train.matrix(confidence).tocoo(),
            epochs=self.epochs_for(len(train)),
            num_threads=self.threads,
        )
        item_bias, item_factors = model.get_item_representations(features)
        _, user_factors = model.get_user_representations(users)
        scorer = FactorScorer(
            user_factors.astype(np.float32),
            item_factors.astype(np.float32),
            item_bias.astype(np.float32),
        )
        if users is None:
            return scorer
        return replace(
            scorer,
            feature_names=self.feature_names,
            feature_factors=model.user_embeddings[train.n_users :].astype(np.float32),
            user_norm=float(np.linalg.norm(user_factors, axis=1).mean()),
        )


def _with_identity(features: Any, rows: int, kind: str) -> Any:
    """Identity columns (one embedding per item or user) beside the given features, rows
    scaled to sum to 1 so items with many tags do not get larger embeddings."""
    if features is None:
        return None
    from scipy.sparse import diags, hstack, identity

    if features.shape[0] != rows:
        raise ValueError(f"{kind}_features has {features.shape[0]} rows for {rows} {kind}s")
    stacked = hstack([identity(rows, format="csr"), features]).tocsr()
    sums = np.asarray(stacked.sum(axis=1)).ravel()
    return (diags(1.0 / sums) @ stacked).tocsr().astype(np.float32)
