"""Corrections across comparisons and the sample-ratio check, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from veneer.statistics.multiple import adjusted, holm, sample_ratio_p_value


def test_holm_steps_down_and_keeps_the_order() -> None:
    # sorted 0.01, 0.03, 0.04 -> x3, x2, x1 = 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06
    assert adjusted([0.01, 0.04, 0.03], "holm") == pytest.approx([0.03, 0.06, 0.06])


def test_benjamini_hochberg_steps_up() -> None:
    # sorted 0.01, 0.03, 0.04 -> x3/1, x3/2, x3/3 = 0.03, 0.045, 0.04 -> running min from the top
    assert adjusted([0.01, 0.04, 0.03], "bh") == pytest.approx([0.03, 0.04, 0.04])


def test_untestable_comparisons_stay_empty_and_do_not_count() -> None:
    assert adjusted([0.01, None, 0.04], "holm") == [pytest.approx(0.02), None, pytest.approx(0.04)]
    assert adjusted([0.01, 0.04], "none") == [0.01, 0.04]


def test_a_split_that_strays_from_its_weights_is_caught() -> None:
    chi2 = 2 * 50**2 / 1050  # 1000 and 1100 against 1050 each
    assert sample_ratio_p_value([1000, 1100], [1, 1]) == pytest.approx(
        math.erfc(math.sqrt(chi2 / 2)), abs=1e-9
    )
    assert sample_ratio_p_value([1000, 1200], [0.5, 0.5]) < 0.001  # type: ignore[operator]
    assert sample_ratio_p_value([2000, 1000], [2, 1]) == pytest.approx(1.0)
    assert sample_ratio_p_value([0, 0], [1, 1]) is None


def test_holm_is_what_statsmodels_computes() -> None:
    rng = np.random.default_rng(4)
    for size in (1, 2, 5, 40):
        p_values = rng.uniform(0, 0.2, size).tolist()
        p_values[0] = p_values[-1]  # a tie
        expected = multipletests(p_values, method="holm")[1]
        assert holm(p_values) == pytest.approx(expected.tolist(), abs=1e-15)
