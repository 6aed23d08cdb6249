"""Recency-weighted user profiles: a person's newest interactions say most about what is next.

Each of a user's interactions weighs 2^(-r / half_life), where r counts the user's strictly
newer interactions (equal timestamps share a weight). Counting interactions rather than
seconds fits how people browse: one evening's burst of twenty views is twenty steps, not a
moment, and a user back after a year is judged by what they did last, not by the calendar.
"""

from __future__ import annotations

import numpy as np

from veneer.recommend.models.interactions import FloatArray, Interactions


def recency_ranks(interactions: Interactions) -> FloatArray:
    """For each interaction, how many of the same user's interactions are strictly newer."""
    users, stamps = interactions.users, interactions.timestamps
    order = np.lexsort((-stamps, users))
    sorted_users, sorted_stamps = users[order], stamps[order]
    position = np.arange(len(order))
    new_group = np.ones(len(order), dtype=np.bool_)
    new_group[1:] = (sorted_users[1:] != sorted_users[:-1]) | (
        sorted_stamps[1:] != sorted_stamps[:-1]
    )
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    user_start = np.searchsorted(sorted_users, sorted_users)
    ranks = np.empty(len(order), dtype=np.float64)
    ranks[order] = group_start - user_start
    return ranks


def recency_weights(interactions: Interactions, half_life: float) -> FloatArray:
    """2^(-rank / half_life) per interaction: 1 for the newest, 1/2 ``half_life`` steps back."""
    if half_life <= 0:
        raise ValueError(f"half_life must be positive, not {half_life}")
    return np.exp2(-recency_ranks(interactions) / half_life)
