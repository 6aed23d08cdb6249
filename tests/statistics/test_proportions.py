"""The two-proportion test and sample size, checked against textbook numbers."""

from __future__ import annotations

import pytest

from veneer.statistics.proportions import Group, compare, needed_per_group


def test_the_interval_is_newcombes_score_interval() -> None:
    """Newcombe (1998), Statistics in Medicine 17:873, table II: 56/70 vs 48/80."""
    result = compare(Group(70, 56), Group(80, 48))
    assert (result.low, result.high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    # ... and 0/10 vs 0/10, where the Wald interval has no width at all
    none = compare(Group(10, 0), Group(10, 0))
    assert (none.low, none.high) == pytest.approx((-0.2775, 0.2775), abs=1e-4)


def test_a_small_holdout_without_conversions_is_no_proof_of_an_effect() -> None:
    """The interval agrees with the test: with 6 held out, 0 of 6 converting proves nothing."""
    result = compare(Group(89, 18), Group(6, 0))
    assert not result.significant
    assert result.low < 0 < result.high


def test_a_clear_lift_is_significant_with_its_interval() -> None:
    result = compare(Group(1000, 200), Group(1000, 150))
    assert result.difference == pytest.approx(0.05)
    assert result.p_value == pytest.approx(0.00326, abs=2e-5)  # z = 2.942
    assert 0 < result.low < 0.05 < result.high
    assert result.significant
    assert result.verdict() == "personalization converts better than the holdout"


def test_sample_size_for_the_observed_effect() -> None:
    assert needed_per_group(0.20, 0.15, 0.95) == 906  # 95% confidence, 80% power
    assert needed_per_group(0.1, 0.1, 0.95) is None


def test_too_early_is_told_apart_from_no_effect() -> None:
    early = compare(Group(100, 20), Group(100, 15))
    assert not early.significant
    assert early.verdict() == (
        "no significant difference yet: an effect this size needs about 906 viewers per group"
    )
    flat = compare(Group(5000, 500), Group(5000, 498))
    assert flat.verdict() == "no significant difference yet: an effect this size needs about " + (
        f"{flat.needed_per_group:,} viewers per group"
    )
    assert compare(Group(100, 10), Group(0, 0)).verdict().startswith("not enough data")
    assert compare(Group(100, 0), Group(100, 0)).p_value is None
    worse = compare(Group(2000, 100), Group(2000, 160))
    assert worse.verdict() == "personalization converts worse than the holdout"
