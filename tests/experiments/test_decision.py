"""The decision line says the most important thing first."""

from __future__ import annotations

from veneer.experiments.analysis import Arm, analyze
from veneer.experiments.decision import decision


def _arms(control: tuple[int, int], b: tuple[int, int]) -> list[Arm]:
    return [
        Arm("control", 0.5, control[0], conversions=control[1], control=True),
        Arm("b", 0.5, b[0], conversions=b[1]),
    ]


def test_a_clear_winner_is_named_with_its_lift_and_interval() -> None:
    line = decision(analyze(_arms((5000, 250), (5000, 400)), "binomial"), {})
    assert line.startswith("`b` beats control by +60.0% (interval ")
    assert line.endswith("ship `b`")


def test_a_broken_split_comes_before_anything_else() -> None:
    line = decision(analyze(_arms((5000, 250), (4000, 400)), "binomial"), {})
    assert line.startswith("do not trust these results")


def test_a_harmed_guardrail_stops_a_winner() -> None:
    primary = analyze(_arms((5000, 250), (5000, 400)), "binomial")
    guard = analyze(_arms((5000, 900), (5000, 600)), "binomial")
    line = decision(primary, {"return": guard})
    assert line.startswith("`b` harms guardrail `return` (-33.3%")
    assert line.endswith("do not ship it")


def test_no_difference_yet_says_keep_running_and_a_loser_keeps_the_control() -> None:
    line = decision(analyze(_arms((5000, 250), (5000, 260)), "binomial"), {})
    assert line.startswith("no arm differs from control yet (leading: `b` +4.0%")
    line = decision(analyze(_arms((5000, 400), (5000, 250)), "binomial"), {})
    assert line == "every arm does worse than control: keep the control"
    empty = decision(analyze(_arms((0, 0), (0, 0)), "binomial"), {})
    assert empty.startswith("not enough data yet")
