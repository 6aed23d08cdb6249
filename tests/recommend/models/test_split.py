"""The protocol's split, checked exactly: counts per user, which ones, and repeatability."""

from __future__ import annotations

import numpy as np
import pytest

from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.split import held_out_mask, n_held_out, split


def _users(sizes: dict[str, int], stamp: float | None = None) -> Interactions:
    return Interactions.from_records(
        (user, f"item-{n}", float(n) if stamp is None else stamp)
        for user, size in sizes.items()
        for n in range(size)
    )


@pytest.mark.parametrize(
    ("n", "held"),
    [(1, 0), (2, 0), (3, 1), (4, 1), (5, 1), (7, 1), (8, 2), (12, 2), (13, 3), (20, 4), (100, 20)],
)
def test_each_user_holds_out_a_fifth_rounded_half_up(n: int, held: int) -> None:
    assert int(n_held_out(n)) == held  # floor(0.2 n + 0.5)


@pytest.mark.parametrize("protocol", ["random", "time"])
def test_every_user_holds_out_exactly_their_share(protocol: str) -> None:
    sizes = {"a": 1, "b": 2, "c": 3, "d": 8, "e": 13, "f": 40}
    interactions = _users(sizes)
    parts = split(interactions, protocol, seed=42)  # type: ignore[arg-type]
    expected = [int(n_held_out(n)) for n in sizes.values()]
    assert parts.test.per_user().tolist() == expected
    assert (parts.train.per_user() + parts.test.per_user()).tolist() == list(sizes.values())
    together = parts.train.matrix() + parts.test.matrix()
    assert (together != interactions.matrix()).nnz == 0  # a partition: nothing lost or doubled


def test_the_time_protocol_holds_out_each_users_latest() -> None:
    interactions = _users({"a": 10, "b": 5})
    parts = split(interactions, "time", seed=1)
    held = {
        (interactions.user_ids[u], interactions.timestamps[i])
        for i, u in enumerate(interactions.users)
        if held_out_mask(interactions, "time", 1)[i]
    }
    assert held == {("a", 9.0), ("a", 8.0), ("b", 4.0)}
    assert sorted(parts.test.timestamps.tolist()) == [4.0, 8.0, 9.0]


def test_the_time_protocol_breaks_ties_at_random_among_the_latest_only() -> None:
    # 3 old interactions, then 7 at one instant: 2 of the 7 tied go to test, by the seed
    records = [("a", f"old-{n}", float(n)) for n in range(3)]
    records += [("a", f"new-{n}", 100.0) for n in range(7)]
    interactions = Interactions.from_records(records)
    chosen = set()
    for seed in range(20):
        test = split(interactions, "time", seed).test
        assert test.timestamps.tolist() == [100.0, 100.0]
        chosen.add(tuple(sorted(test.items.tolist())))
    assert len(chosen) > 5  # different seeds pick different tied items


def test_the_same_seed_holds_out_the_same_interactions_and_another_seed_others() -> None:
    interactions = _users({"a": 30, "b": 30, "c": 30})
    first = held_out_mask(interactions, "random", 42)
    assert np.array_equal(first, held_out_mask(interactions, "random", 42))
    assert not np.array_equal(first, held_out_mask(interactions, "random", 1))


def test_the_random_protocol_ignores_time() -> None:
    interactions = _users({"a": 50})
    held = interactions.timestamps[held_out_mask(interactions, "random", 3)]
    assert len(held) == 10
    assert held.min() < 40  # not just the latest ten


def test_an_unknown_protocol_is_named() -> None:
    with pytest.raises(ValueError, match="protocol must be one of random, time, not 'leave'"):
        split(_users({"a": 5}), "leave", 0)  # type: ignore[arg-type]
