"""Results over time, checked against counts made by hand on a handful of viewers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from veneer.experiments.analysis import Arm, analyze
from veneer.experiments.timeline import Exposure, timeline

EASTERN = timezone(timedelta(hours=-5))
WEIGHTS = {"control": 0.5, "b": 0.5}


def _at(day: int, hour: int, zone: timezone | None = UTC) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=zone)


def _viewers() -> list[Exposure]:
    return [
        Exposure("control", _at(1, 9), _at(2, 10), 12.0),
        Exposure("control", _at(1, 23, EASTERN)),  # 04:00 on the 2nd in UTC
        Exposure("control", _at(2, 12), _at(1, 12), 100.0),  # bought before: never counts
        Exposure("control", _at(3, 8)),
        Exposure("b", _at(1, 10), _at(1, 11), 10.0),
        Exposure("b", _at(1, 12), _at(3, 13), 20.0),
        Exposure("b", _at(2, 15, None), _at(2, 16, None), 5.0),  # no zone: UTC
        Exposure("b", _at(3, 9), _at(5, 9), 7.0),  # converts two days after the last exposure
    ]


def test_viewers_count_from_their_exposure_and_conversions_from_when_they_happened() -> None:
    days = timeline(_viewers(), WEIGHTS, "binomial")

    assert [d.day for d in days] == [date(2026, 11, n) for n in range(1, 6)]  # the 4th too
    assert [d.users for d in days] == [
        {"control": 1, "b": 2},
        {"control": 3, "b": 3},
        {"control": 4, "b": 4},
        {"control": 4, "b": 4},
        {"control": 4, "b": 4},
    ]
    assert [d.conversions["control"] for d in days] == [0, 1, 1, 1, 1]
    assert [d.conversions["b"] for d in days] == [1, 2, 3, 3, 4]
    (first,) = days[0].analysis.comparisons
    assert first.lift is None  # control has not converted yet: no lift to divide out
    assert [d.analysis.srm_p_value for d in days[1:]] == pytest.approx([1.0] * 4)


def test_the_last_day_is_the_analysis_of_the_totals() -> None:
    days = timeline(_viewers(), WEIGHTS, "binomial", alpha=0.1, sequential=True, planned=100)
    totals = [Arm("control", 0.5, 4, 1), Arm("b", 0.5, 4, 4)]
    assert days[-1].analysis == analyze(totals, "binomial", 0.1, "holm", True, 100)
    assert days[-1].analysis.sequential

    means = timeline(_viewers(), WEIGHTS, "mean")
    sums = [Arm("control", 0.5, 4, None, 12.0, 144.0), Arm("b", 0.5, 4, None, 42.0, 574.0)]
    assert means[-1].analysis == analyze(sums, "mean")
    (b,) = means[2].analysis.comparisons  # on the 3rd: control 12 over 4, b 35 over 4
    assert b.lift == pytest.approx(35 / 12 - 1)


def test_until_cuts_the_days_and_json_says_what_each_day_held() -> None:
    days = timeline(_viewers(), WEIGHTS, "binomial", until=date(2026, 11, 2), control="control")
    assert len(days) == 2 and days[-1].conversions == {"control": 1, "b": 2}
    shown = days[-1].as_json()
    assert shown["day"] == "2026-11-02" and shown["users"] == {"control": 3, "b": 3}
    assert shown["trustworthy"] is True and shown["comparisons"][0]["arm"] == "b"
    assert set(shown) == {"day", "users", "conversions", "srm_p_value", "trustworthy",
                          "comparisons"}  # fmt: skip


def test_nothing_to_show_without_viewers_and_unknown_arms_are_refused() -> None:
    assert timeline([], WEIGHTS, "binomial") == []
    with pytest.raises(ValueError, match=r"arms \['c'\] that are not among"):
        timeline([Exposure("c", _at(1, 1))], WEIGHTS, "binomial")
    with pytest.raises(ValueError, match="control 'x' is not one of the arms"):
        timeline(_viewers(), WEIGHTS, "binomial", control="x")
    with pytest.raises(ValueError, match="at least one other arm"):
        timeline(_viewers(), {"control": 1.0}, "binomial")
