"""The metrics against figures worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from veneer.recommend.models import metrics

TOP = np.array([[3, 1, 4], [0, 2, 5]])
RELEVANT = np.zeros((2, 6), dtype=bool)
RELEVANT[0, [1, 5]] = True  # user 0: one of two relevant items, at position 2
RELEVANT[1, [2]] = True  # user 1: their only relevant item, at position 2


def test_precision_and_recall() -> None:
    assert metrics.precision(TOP, RELEVANT).tolist() == pytest.approx([1 / 3, 1 / 3])
    assert metrics.recall(TOP, RELEVANT).tolist() == pytest.approx([1 / 2, 1.0])


def test_ndcg_discounts_by_position_over_the_ideal_list() -> None:
    second = 1 / math.log2(3)
    assert metrics.ndcg(TOP, RELEVANT).tolist() == pytest.approx(
        [second / (1 + second), second / 1]
    )
    # a hit first is a perfect list for a user with one relevant item
    assert metrics.ndcg(np.array([[2, 0, 1]]), RELEVANT[1:]).tolist() == [1.0]


def test_coverage_is_the_share_of_the_catalogue_anyone_is_shown() -> None:
    assert metrics.coverage([TOP[:1], TOP[1:]], n_items=8) == 6 / 8
    assert metrics.coverage([np.array([[1, 2], [2, 1]])], n_items=4) == 2 / 4


def test_auc_counts_pairs_over_unseen_items_with_ties_as_halves() -> None:
    scores = np.array([[0.9, 0.8, 0.1, 0.5, 0.3], [1.0, 1.0, 1.0, 1.0, 1.0]])
    seen = np.array([[True, False, False, False, False], [False] * 5])
    relevant = np.array([[False, True, False, False, True], [True, False, False, False, False]])
    # user 0: positives 0.8 and 0.3 against negatives 0.1 and 0.5 (item 0, seen, is out):
    # 0.8 beats both, 0.3 beats 0.1 only: 3 of 4 pairs. User 1: all tied, a half.
    assert metrics.auc(scores, seen, relevant).tolist() == pytest.approx([0.75, 0.5])


def test_diversity_is_one_less_the_mean_cosine_similarity_of_pairs() -> None:
    vectors = metrics.unit_rows(csr_matrix(np.array([[2.0, 0.0], [3.0, 0.0], [0.0, 1.0]])))
    # pairs (0, 1) identical, (0, 2) and (1, 2) orthogonal: mean similarity 1/3
    assert metrics.diversity(np.array([[0, 1, 2]]), vectors).tolist() == pytest.approx([2 / 3])
    assert metrics.diversity(np.array([[0, 1]]), vectors).tolist() == pytest.approx([0.0])


def test_unit_rows_leaves_empty_rows_empty() -> None:
    rows = metrics.unit_rows(csr_matrix(np.array([[3.0, 4.0], [0.0, 0.0]]))).toarray()
    assert rows.ravel().tolist() == pytest.approx([0.6, 0.8, 0.0, 0.0])
