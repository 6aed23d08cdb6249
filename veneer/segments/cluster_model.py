"""A fitted clustering kept for later: assign new viewers, and keep cluster ids across refits.

Assignment is the nearest centroid after the model's own scaling, with no refit, so it is
cheap enough for a request or the worker. A refit is a new version; clusters that persist
keep their ids (new centroids are matched to old ones, closest first, within a distance),
so a segment built on cluster 2 still means the same people after next month's refit.
Pure: numbers in, numbers out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MATCH_DISTANCE = 1.0  # in standard deviations: farther apart, a cluster is new


@dataclass(frozen=True)
class ClusterModel:
    version: int
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    centroids: dict[int, tuple[float, ...]]  # cluster id -> centroid in the features' units
    names: dict[int, str] = field(default_factory=dict)
    specs: tuple[dict[str, Any], ...] = ()  # how each feature is measured (its JSON)

    def _scaled(self, vectors: np.ndarray) -> np.ndarray:
        scaled: np.ndarray = (vectors - np.asarray(self.mean)) / np.asarray(self.scale)
        return scaled

    def assign_many(self, vectors: Sequence[Sequence[float]] | np.ndarray) -> list[int]:
        if len(vectors) == 0:
            return []
        # Imported here: the app and the worker load this module on every start, and
        # scikit-learn costs seconds of that before the first answer.
        from sklearn.metrics import pairwise_distances_argmin

        ids = sorted(self.centroids)
        centres = self._scaled(np.asarray([self.centroids[i] for i in ids], dtype=float))
        points = self._scaled(np.asarray(vectors, dtype=float))
        nearest = pairwise_distances_argmin(points, centres)  # in chunks: refits see millions
        return [ids[int(j)] for j in nearest]

    def assign(self, vector: Sequence[float]) -> int:
        return self.assign_many([vector])[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "centroids": {str(k): list(v) for k, v in self.centroids.items()},
            "names": {str(k): v for k, v in self.names.items()},
            "specs": [dict(spec) for spec in self.specs],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClusterModel:
        return cls(
            int(data["version"]),
            tuple(data["features"]),
            tuple(float(v) for v in data["mean"]),
            tuple(float(v) for v in data["scale"]),
            {int(k): tuple(float(x) for x in v) for k, v in data["centroids"].items()},
            {int(k): str(v) for k, v in data.get("names", {}).items()},
            tuple(dict(spec) for spec in data.get("specs", ())),
        )


def stable_ids(
    previous: ClusterModel | None,
    features: Sequence[str],
    centroids: Sequence[Sequence[float]],
    mean: Sequence[float],
    scale: Sequence[float],
) -> list[int]:
    """An id for each new centroid: the matched old cluster's, else a fresh one.

    Centroids are compared in the new fit's scaling; a model over other features shares
    no ids with this one.
    """
    if previous is None or previous.features != tuple(features):
        start = max(previous.centroids, default=-1) + 1 if previous else 0
        return list(range(start, start + len(centroids)))
    from scipy.optimize import linear_sum_assignment  # only refits need it (see assign_many)

    old_ids = sorted(previous.centroids)
    norm = np.asarray(scale, dtype=float)
    new = (np.asarray(centroids, dtype=float) - np.asarray(mean)) / norm
    old = (np.asarray([previous.centroids[i] for i in old_ids]) - np.asarray(mean)) / norm
    cost = np.sqrt(((new[:, None, :] - old[None, :, :]) ** 2).sum(axis=2))
    rows, cols = linear_sum_assignment(cost)
    ids: list[int | None] = [None] * len(centroids)
    for row, col in zip(rows, cols, strict=True):
        if cost[row, col] <= MATCH_DISTANCE:
            ids[row] = old_ids[col]
    fresh = max(old_ids, default=-1) + 1
    result = []
    for assigned in ids:
        if assigned is None:
            assigned, fresh = fresh, fresh + 1
        result.append(assigned)
    return result
