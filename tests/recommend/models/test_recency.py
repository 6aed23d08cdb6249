"""Recency weights count a user's newer interactions, ties sharing a weight."""

from __future__ import annotations

import pytest

from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.recency import recency_ranks, recency_weights


def test_ranks_count_strictly_newer_interactions_of_the_same_user() -> None:
    interactions = Interactions.from_records(
        [("a", "x", 1.0), ("b", "x", 7.0), ("a", "y", 5.0), ("a", "z", 5.0), ("a", "w", 3.0)]
    )
    ranks = dict(
        zip(
            zip(interactions.users.tolist(), interactions.items.tolist(), strict=True),
            recency_ranks(interactions).tolist(),
            strict=True,
        )
    )
    a, b = 0, 1
    x, y, z, w = 0, 1, 2, 3
    assert ranks == {(a, y): 0, (a, z): 0, (a, w): 2, (a, x): 3, (b, x): 0}


def test_weights_halve_every_half_life() -> None:
    interactions = Interactions.from_records(
        [("a", "x", 1.0), ("a", "y", 5.0), ("a", "z", 5.0), ("a", "w", 3.0)]
    )
    weights = recency_weights(interactions, half_life=2.0).tolist()
    assert weights == pytest.approx([2**-1.5, 1.0, 1.0, 0.5])


def test_a_half_life_must_be_positive() -> None:
    with pytest.raises(ValueError, match="half_life must be positive"):
        recency_weights(Interactions.from_records([("a", "x", 1.0)]), 0.0)
