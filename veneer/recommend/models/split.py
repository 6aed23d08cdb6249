"""The evaluation protocol's split: per user, a fixed share of interactions is held out.

Every user with n interactions keeps floor(0.2 n + 0.5) of them for test (round half up, so
a user with 3 keeps 1 and a user with 2 keeps 0). ``random`` picks them by a seeded shuffle;
``time`` picks the user's latest, ties in timestamp broken at random, which asks the harder
question a live site asks: what will this person want next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from veneer.recommend.models.interactions import BoolArray, IntArray, Interactions

Protocol = Literal["random", "time"]
PROTOCOLS: tuple[str, ...] = get_args(Protocol)
TEST_SHARE = 0.2


@dataclass(frozen=True)
class Split:
    train: Interactions
    test: Interactions


def n_held_out(n: int | IntArray, share: float = TEST_SHARE) -> IntArray:
    """How many of a user's n interactions go to test: floor(share * n + 0.5)."""
    return np.floor(share * np.asarray(n, dtype=np.float64) + 0.5).astype(np.int64)


def split(
    interactions: Interactions, protocol: Protocol, seed: int, share: float = TEST_SHARE
) -> Split:
    """Hold out each user's share; the same seed always holds out the same interactions."""
    test = held_out_mask(interactions, protocol, seed, share)
    return Split(interactions.subset(~test), interactions.subset(test))


def held_out_mask(
    interactions: Interactions, protocol: Protocol, seed: int, share: float = TEST_SHARE
) -> BoolArray:
    """True for the interactions the protocol holds out.

    Each interaction draws a random key; within a user, interactions are ordered by the key
    (``random``: a uniform shuffle) or by newest first with the key breaking ties (``time``),
    and the first ``n_held_out(n)`` of that order go to test.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    users = interactions.users
    key = np.random.default_rng(seed).random(len(users))
    if protocol == "random":
        order = np.lexsort((key, users))
    else:
        order = np.lexsort((key, -interactions.timestamps, users))
    counts = interactions.per_user()
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(len(users)) - starts[users[order]]
    mask = np.zeros(len(users), dtype=np.bool_)
    mask[order] = position < n_held_out(counts, share)[users[order]]
    return mask
