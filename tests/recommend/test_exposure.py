"""Coverage and concentration of what was shown, over the catalogue as the CMS serves it."""

from __future__ import annotations

import pytest

from veneer.recommend.exposure import Exposed, coverage, gini, summarize

CATALOGUE = {"tent": "Tent", "stove": "Stove", "rope": "Rope", "shoe": "Shoe"}


def test_coverage_is_the_share_of_the_catalogue_shown_at_least_once() -> None:
    assert coverage({"tent": 9, "stove": 1}, CATALOGUE) == 0.5
    assert coverage({"tent": 9, "stove": 0, "unpublished": 4}, CATALOGUE) == 0.25
    assert coverage({}, CATALOGUE) == 0.0
    assert coverage({"tent": 1}, []) == 0.0


def test_gini_is_zero_for_even_exposure_and_nears_one_as_few_entries_take_it_all() -> None:
    assert gini([3, 3, 3, 3]) == 0.0
    assert gini([0, 0, 0]) == 0.0 and gini([]) == 0.0
    assert gini([0, 0, 0, 12]) == pytest.approx(3 / 4)
    assert gini([0] * 99 + [5]) == pytest.approx(0.99)
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)


def test_entries_never_shown_count_towards_concentration() -> None:
    assert gini([5, 5]) == 0.0
    assert gini([5, 5, 0, 0]) == pytest.approx(0.5)


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative, got -1"):
        gini([3, -1])


def test_a_summary_counts_only_entries_served_now_and_lists_the_most_shown_first() -> None:
    summary = summarize(
        {"tent": 6, "rope": 2, "stove": 2, "unpublished": 50},
        CATALOGUE,
        days=7,
        counted="impression",
        top=2,
    )
    assert (summary.days, summary.counted) == (7, "impression")
    assert (summary.catalogue_size, summary.exposed, summary.exposures) == (4, 3, 10)
    assert summary.coverage == 0.75
    assert summary.gini == pytest.approx(gini([6, 2, 2, 0]))
    assert summary.top == (Exposed("tent", "Tent", 6), Exposed("rope", "Rope", 2))
