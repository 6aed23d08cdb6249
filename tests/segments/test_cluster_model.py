"""Assigning to the nearest centroid, and cluster ids that survive a refit."""

from __future__ import annotations

from veneer.segments.cluster_model import ClusterModel, stable_ids

FEATURES = ("views", "buys")
OLD = ClusterModel(
    3,
    FEATURES,
    mean=(10.0, 2.0),
    scale=(5.0, 1.0),
    centroids={4: (20.0, 0.0), 7: (8.0, 4.0)},
    names={4: "browsers", 7: "buyers"},
)


def test_new_viewers_go_to_the_nearest_centroid_in_scaled_units() -> None:
    assert OLD.assign((19.0, 0.5)) == 4
    assert OLD.assign((12.0, 3.5)) == 7, "a buy counts five views in these units"
    assert ClusterModel.from_json(OLD.to_json()) == OLD


def test_persisting_clusters_keep_their_ids_and_new_ones_get_fresh_ids() -> None:
    refit = [(8.5, 3.9), (40.0, 9.0), (19.0, 0.1)]  # buyers, someone new, browsers
    assert stable_ids(OLD, FEATURES, refit, OLD.mean, OLD.scale) == [7, 8, 4]
    other_features = stable_ids(OLD, ("views", "searches"), refit, OLD.mean, OLD.scale)
    assert other_features == [8, 9, 10], "never reuse an id for something else"
    assert stable_ids(None, FEATURES, refit, OLD.mean, OLD.scale) == [0, 1, 2]
