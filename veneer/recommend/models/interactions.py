"""Who interacted with what, and when: the one input every model and metric reads.

Models want a users x items sparse matrix; the split protocol wants each interaction with its
timestamp. Keeping the interactions as parallel arrays over fixed id maps gives both, and a
train or test subset keeps the same rows and columns, so scores line up across splits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
# Model scores: float64 from closed-form models, float32 from factor models (half the bytes
# to read per request).
Scores = NDArray[np.floating[Any]]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Interactions:
    """One positive per (user, item) pair, each with its timestamp (0 when unknown).

    ``users`` and ``items`` index ``user_ids`` and ``item_ids``, which every subset shares.
    ``strengths``, when given, say how much each interaction counts (a purchase more than a
    view, a recent one more than an old one); models fit on them through `confidence`.
    Without them every interaction counts alike, as in a ratings data set.
    """

    users: IntArray
    items: IntArray
    timestamps: FloatArray
    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    strengths: FloatArray | None = None

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, str, float]]) -> Interactions:
        """Build from (user id, item id, timestamp) triples, in any order.

        A pair seen twice counts once, at its latest timestamp: a re-watch is still one
        positive, and its recency is what the time protocol and recency weights need.
        """
        user_index: dict[str, int] = {}
        item_index: dict[str, int] = {}
        latest: dict[tuple[int, int], float] = {}
        for user, item, timestamp in records:
            key = (
                user_index.setdefault(user, len(user_index)),
                item_index.setdefault(item, len(item_index)),
            )
            latest[key] = max(timestamp, latest.get(key, timestamp))
        pairs = np.array(list(latest), dtype=np.int64).reshape(-1, 2)
        return cls(
            users=pairs[:, 0].copy(),
            items=pairs[:, 1].copy(),
            timestamps=np.fromiter(latest.values(), dtype=np.float64, count=len(latest)),
            user_ids=tuple(user_index),
            item_ids=tuple(item_index),
        )

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def __len__(self) -> int:
        return len(self.users)

    def subset(self, keep: BoolArray) -> Interactions:
        """The interactions where ``keep`` is true, over the same users and items."""
        return Interactions(
            self.users[keep],
            self.items[keep],
            self.timestamps[keep],
            self.user_ids,
            self.item_ids,
            None if self.strengths is None else self.strengths[keep],
        )

    def weighed(self, strengths: FloatArray) -> Interactions:
        """The same interactions, each counting as much as ``strengths`` says (aligned)."""
        if strengths.shape != self.users.shape or not np.all(np.isfinite(strengths)):
            raise ValueError(f"strengths must be {len(self)} finite numbers")
        if np.any(strengths <= 0):
            raise ValueError("strengths must be positive: an interaction is a positive")
        return Interactions(
            self.users, self.items, self.timestamps, self.user_ids, self.item_ids, strengths
        )

    def confidence(self) -> FloatArray | None:
        """How much each interaction counts when a model fits, scaled to a mean of 1 so that
        regularisation tuned on unweighted data keeps its meaning; None when all count 1."""
        if self.strengths is None or len(self.strengths) == 0:
            return None
        return np.asarray(self.strengths / self.strengths.mean(), dtype=np.float64)

    def fitting_matrix(self) -> Any:
        """users x items CSR matrix of `confidence` (1 per interaction without strengths)."""
        return self.matrix(self.confidence())

    def matrix(self, weights: FloatArray | None = None) -> Any:
        """users x items CSR matrix (scipy), 1 per interaction unless ``weights`` are given."""
        from scipy.sparse import csr_matrix

        data = np.ones(len(self.users)) if weights is None else weights
        return csr_matrix(
            (data, (self.users, self.items)), shape=(self.n_users, self.n_items), dtype=np.float64
        )

    def per_user(self) -> IntArray:
        """How many interactions each user has."""
        return np.bincount(self.users, minlength=self.n_users).astype(np.int64)
