"""Synthetic interactions with planted structure, where the right answer is known.

Users fall into groups, each with its own shelf of items, and everyone also touches a few
items from one shelf of blockbusters. A model that finds the groups recommends the unseen
items of the user's shelf; ItemPop can only recommend blockbusters. With ``drift``, each user
moves to the next group's shelf for their latest interactions, which only a model that
weighs recent interactions more will follow.
"""

from __future__ import annotations

import numpy as np

from veneer.recommend.models.interactions import Interactions


def planted(
    groups: int = 4,
    users_per_group: int = 40,
    items_per_group: int = 25,
    per_user: int = 12,
    blockbusters: int = 10,
    per_user_blockbusters: int = 4,
    drift: int = 0,
    seed: int = 0,
) -> Interactions:
    """Each user takes ``per_user`` items of their group's shelf (the last ``drift`` of them
    from the next group's shelf instead, newest) and a few blockbusters, early on."""
    rng = np.random.default_rng(seed)
    records: list[tuple[str, str, float]] = []
    for group in range(groups):
        for member in range(users_per_group):
            user = f"u{group}-{member}"
            shelf = rng.choice(items_per_group, per_user - drift, replace=False)
            later = rng.choice(items_per_group, drift, replace=False)
            popular = rng.choice(blockbusters, per_user_blockbusters, replace=False)
            when = 0.0
            for item in popular:
                records.append((user, f"pop-{item}", when))
                when += 1
            for item in shelf:
                records.append((user, f"g{group}-{item}", when))
                when += 1
            for item in later:
                records.append((user, f"g{(group + 1) % groups}-{item}", when))
                when += 1
    return Interactions.from_records(records)


def group_of(user_id: str) -> int:
    return int(user_id[1:].split("-")[0])
