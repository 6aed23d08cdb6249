"""Ranking metrics with binary relevance, per user; the protocol averages over users.

Each function takes the users' top-k lists (rows of item indices, best first) and what each
user actually went on to interact with (a boolean users x items array), and returns one
value per user, so tests can check them against figures worked out by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from veneer.recommend.models.interactions import BoolArray, FloatArray, IntArray


def hits(top: IntArray, relevant: BoolArray) -> BoolArray:
    """Whether each recommended item is relevant, per user and position."""
    return np.take_along_axis(relevant, top, axis=1)


def precision(top: IntArray, relevant: BoolArray) -> FloatArray:
    """Share of the k recommendations that are relevant."""
    return np.asarray(hits(top, relevant).sum(axis=1) / top.shape[1], dtype=np.float64)


def recall(top: IntArray, relevant: BoolArray) -> FloatArray:
    """Share of the user's relevant items that made the top k."""
    return np.asarray(hits(top, relevant).sum(axis=1) / relevant.sum(axis=1), dtype=np.float64)


def ndcg(top: IntArray, relevant: BoolArray) -> FloatArray:
    """Discounted gain of the hits (1 / log2(position + 1)) over the best possible for k."""
    k = top.shape[1]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    gained = hits(top, relevant) @ discounts
    ideal = np.cumsum(discounts)[np.minimum(relevant.sum(axis=1), k) - 1]
    return np.asarray(gained / ideal, dtype=np.float64)


def coverage(tops: list[IntArray], n_items: int) -> float:
    """Share of the catalogue that appears in anyone's top k."""
    shown = np.unique(np.concatenate([top.ravel() for top in tops]))
    return len(shown) / n_items


def auc(scores: FloatArray, seen: BoolArray, relevant: BoolArray) -> FloatArray:
    """Per user, the chance a relevant item outscores an irrelevant one, over items not seen
    in training (ties count a half): the whole ranking, not just its top.

    Ranks every row at once: seen items are set to -inf, so they take the lowest ranks and a
    candidate's rank among candidates is its rank in the row less the number seen.
    """
    from scipy.stats import rankdata

    masked = np.where(seen, -np.inf, scores)
    ranks = rankdata(masked, axis=1) - seen.sum(axis=1, keepdims=True)
    positives = relevant.sum(axis=1)
    negatives = (~seen).sum(axis=1) - positives
    rank_sum = np.where(relevant, ranks, 0.0).sum(axis=1)
    return np.asarray(
        (rank_sum - positives * (positives + 1) / 2) / (positives * negatives), dtype=np.float64
    )


def diversity(top: IntArray, item_vectors: Any) -> FloatArray:
    """Intra-list diversity: mean 1 - cosine similarity over pairs of each list's items.

    ``item_vectors`` is items x anything, sparse (who interacted with each item, or its tags)
    with rows scaled to unit length. Costs one k x k product per user.
    """
    k = top.shape[1]
    pairs = k * (k - 1)
    out = np.zeros(len(top))
    if pairs == 0:
        return out
    for row, items in enumerate(top):
        vectors = item_vectors[items]
        similarity = np.asarray((vectors @ vectors.T).toarray())
        out[row] = 1.0 - (similarity.sum() - np.trace(similarity)) / pairs
    return out


def unit_rows(matrix: Any) -> Any:
    """A sparse matrix with every non-empty row scaled to length 1."""
    from scipy.sparse import diags

    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return (diags(scale) @ matrix).tocsr()
