"""The interaction set: one positive per pair, shared id maps across subsets."""

from __future__ import annotations

import numpy as np

from veneer.recommend.models.interactions import Interactions


def test_a_pair_seen_twice_counts_once_at_its_latest_time() -> None:
    interactions = Interactions.from_records(
        [("ann", "tent", 5.0), ("bob", "tent", 1.0), ("ann", "tent", 9.0), ("ann", "stove", 2.0)]
    )
    assert len(interactions) == 3
    assert interactions.user_ids == ("ann", "bob")
    assert interactions.item_ids == ("tent", "stove")
    matrix = interactions.matrix().toarray()
    assert matrix.tolist() == [[1.0, 1.0], [1.0, 0.0]]
    stamps = dict(
        zip(
            zip(interactions.users, interactions.items, strict=True),
            interactions.timestamps,
            strict=True,
        )
    )
    assert stamps[(0, 0)] == 9.0


def test_a_subset_keeps_every_user_and_item() -> None:
    interactions = Interactions.from_records([("ann", "tent", 1.0), ("bob", "stove", 2.0)])
    only_ann = interactions.subset(interactions.users == 0)
    assert (only_ann.n_users, only_ann.n_items) == (2, 2)
    assert only_ann.matrix().shape == (2, 2)
    assert only_ann.per_user().tolist() == [1, 0]


def test_weights_replace_the_ones() -> None:
    interactions = Interactions.from_records([("ann", "tent", 1.0), ("ann", "stove", 2.0)])
    weighted = interactions.matrix(np.array([0.5, 2.0])).toarray()
    assert weighted.tolist() == [[0.5, 2.0]]
