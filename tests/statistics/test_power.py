"""Sample sizes, against the textbook normal-approximation formula."""

from __future__ import annotations

import pytest

from veneer.statistics.power import users_per_arm


def _textbook(p1: float, p2: float, z_alpha: float = 1.959964, z_power: float = 0.841621) -> float:
    return (z_alpha + z_power) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p2 - p1) ** 2


def test_a_ten_percent_lift_on_four_percent_needs_about_forty_thousand_per_arm() -> None:
    assert users_per_arm(0.04, 0.10) == pytest.approx(_textbook(0.04, 0.044), rel=0.005)


def test_more_arms_split_alpha_and_need_more_viewers() -> None:
    assert users_per_arm(0.04, 0.10, arms=3) > users_per_arm(0.04, 0.10)


@pytest.mark.parametrize(
    ("baseline", "mde", "message"),
    [(0.0, 0.1, "baseline"), (1.2, 0.1, "baseline"), (0.5, 1.5, "mde"), (0.5, 0.0, "mde")],
)
def test_impossible_plans_are_refused(baseline: float, mde: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        users_per_arm(baseline, mde)
