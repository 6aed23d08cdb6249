"""The two-proportion test and sample size, checked against textbook numbers."""

from __future__ import annotations

import pytest

from veneer.statistics.proportions import Group, compare, needed_per_group


def test_a_clear_lift_is_significant_with_its_interval() -> None:
    result = compare(Group(1000, 200), Group(1000, 150))
    assert result.difference == pytest.approx(0.05)
    assert result.p_value == pytest.approx(0.00326, abs=2e-5)  # z = 2.942
    assert (result.low, result.high) == pytest.approx((0.01677, 0.08323), abs=2e-5)
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
