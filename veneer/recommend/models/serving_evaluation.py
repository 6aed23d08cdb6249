"""Measuring a serving model the way it serves: from each viewer's history, item to item.

The protocol's `evaluation` scores users through a fitted model's own user factors, which a
stored champion no longer has (the artifact keeps only the item side). To compare a new
candidate with the champion fairly, both are measured here the same way: every held-out
viewer's training history (newest first, weighted as serving weighs it) goes through
`ServingModel.recommend`, and the top k are checked against what the viewer did next.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from veneer.recommend.models.interactions import FloatArray, Interactions
from veneer.recommend.models.serving import ServingModel

MAX_VIEWERS = 5_000  # a deterministic sample beyond this: figures settle long before


@dataclass(frozen=True)
class History:
    """A viewer's distinct items, newest first, each with how much it counts, and the user
    features (segments, traits) serving would pass for them."""

    items: tuple[str, ...]
    weights: tuple[float, ...]
    features: tuple[str, ...] = ()


def histories(
    interactions: Interactions,
    strengths: FloatArray | None = None,
    features: Mapping[str, Collection[str]] | None = None,
) -> dict[str, History]:
    """Each user's interactions as a serving history (newest first; ties by item), with
    their user ``features`` if given."""
    order = np.lexsort((interactions.items, -interactions.timestamps, interactions.users))
    found: dict[str, tuple[list[str], list[float]]] = {}
    for row in order:
        user = interactions.user_ids[interactions.users[row]]
        items, weights = found.setdefault(user, ([], []))
        items.append(interactions.item_ids[interactions.items[row]])
        weights.append(1.0 if strengths is None else float(strengths[row]))
    held = features or {}
    return {
        user: History(tuple(i), tuple(w), tuple(sorted(held.get(user, ()))))
        for user, (i, w) in found.items()
    }


def relevant_items(interactions: Interactions) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for user, item in zip(interactions.users, interactions.items, strict=True):
        found.setdefault(interactions.user_ids[user], set()).add(interactions.item_ids[item])
    return found


def _sample(viewers: Sequence[str], limit: int) -> list[str]:
    """The same viewers every run, whatever order they came in."""
    ordered = sorted(viewers, key=lambda v: hashlib.sha256(v.encode()).digest())
    return sorted(ordered[:limit])


def measure(
    model: ServingModel,
    history: Mapping[str, History],
    relevant: Mapping[str, set[str]],
    k: int = 10,
    limit: int = MAX_VIEWERS,
) -> dict[str, float]:
    """precision@k, recall@k and nDCG@k means over the viewers with something relevant,
    and how many viewers that was (``viewers``)."""
    viewers = _sample([v for v, items in relevant.items() if items], limit)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    precision = recall = ndcg = 0.0
    for viewer in viewers:
        seen = history.get(viewer, History((), ()))
        wanted = relevant[viewer] - set(seen.items)
        top = model.recommend(seen.items, k, weights=seen.weights, features=seen.features)
        hits = np.array([s.entry_id in wanted for s in top] + [False] * (k - len(top)))
        precision += hits.sum() / k
        recall += hits.sum() / len(wanted) if wanted else 0.0
        ideal = discounts[: min(len(wanted), k)].sum()
        ndcg += float(hits @ discounts) / ideal if ideal else 0.0
    n = len(viewers)
    if n == 0:
        return {
            f"precision@{k}": math.nan,
            f"recall@{k}": math.nan,
            f"ndcg@{k}": math.nan,
            "viewers": 0.0,
        }
    return {
        f"precision@{k}": float(precision / n),
        f"recall@{k}": float(recall / n),
        f"ndcg@{k}": float(ndcg / n),
        "viewers": float(n),
    }
