"""Top-n lists: best first, never an item the user already has."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from veneer.recommend.models.ranking import mask_seen, top_n


def test_top_n_is_best_first() -> None:
    scores = np.array([[0.1, 0.9, 0.5, 0.7], [4.0, 3.0, 2.0, 1.0]])
    assert top_n(scores, 2).tolist() == [[1, 3], [0, 1]]
    assert top_n(scores, 9).tolist() == [[1, 3, 2, 0], [0, 1, 2, 3]]


def test_seen_items_are_never_recommended() -> None:
    seen = csr_matrix(np.array([[0, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 1]]))
    scores = np.array([[0.1, 0.9, 0.5, 0.7], [4.0, 3.0, 2.0, 1.0]])
    masked = mask_seen(scores, np.array([0, 2]), seen)
    assert top_n(masked, 2).tolist() == [[3, 2], [1, 2]]


def test_a_user_who_has_seen_nothing_keeps_every_score() -> None:
    seen = csr_matrix(np.array([[0, 1, 1], [0, 0, 0]]))
    scores = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], dtype=np.float32)
    masked = mask_seen(scores, np.array([1, 0, 1]), seen)
    assert masked.tolist() == [[1, 2, 3], [1, -np.inf, -np.inf], [1, 2, 3]]
