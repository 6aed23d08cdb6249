"""An experiment's results as they stood at the end of each day: what `experiments report`
charts, so that a lift is seen settling (or not) rather than read off one number.

Plain rows in, one per viewer exposed: the arm, when they were first exposed, when they
converted (if they did) and what that conversion was worth (mean metrics). Each day (UTC)
from the first exposure to the last day anything happened (or ``until``) gets the analysis of
everything up to its end, by `analysis.analyze`, so the last day is exactly the analysis of
the totals. Counting follows what a viewer did and when:

- a viewer counts from the day they were exposed;
- their conversion counts from the day it happened, and only if it happened at or after the
  exposure (a purchase before seeing the arm cannot be the arm's doing);
- for a mean metric the viewer's value is what their conversion was worth, 0 until then.

The daily figures are read every day, so with ``sequential`` the intervals are the
confidence sequences, valid however often they are looked at; without it, a daily chart of
fixed-sample intervals crosses zero by chance far more often than its 5% suggests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from veneer.experiments.analysis import Analysis, Arm, Metric, analyze
from veneer.statistics import sequential as sequential_test
from veneer.statistics.multiple import Correction


@dataclass(frozen=True)
class Exposure:
    """One viewer in the experiment. Times without a zone are taken as UTC."""

    arm: str
    exposed_at: datetime
    converted_at: datetime | None = None
    value: float = 0.0  # what the conversion was worth (mean metrics); nothing without one

    @property
    def exposed_on(self) -> date:
        return _utc_day(self.exposed_at)

    @property
    def converted_on(self) -> date | None:
        """The day the conversion counts from; None without one, or with one before exposure."""
        if self.converted_at is None or _utc(self.converted_at) < _utc(self.exposed_at):
            return None
        return _utc_day(self.converted_at)


@dataclass(frozen=True)
class Day:
    """The experiment as it stood at the end of ``day``."""

    day: date
    users: dict[str, int]
    conversions: dict[str, int]
    analysis: Analysis

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "users": self.users,
            "conversions": self.conversions,
            "srm_p_value": self.analysis.srm_p_value,
            "trustworthy": self.analysis.trustworthy,
            "comparisons": [c.as_json() for c in self.analysis.comparisons],
        }


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _utc_day(moment: datetime) -> date:
    return _utc(moment).date()


@dataclass
class _Tally:
    """One arm's counts by day, offset from the first day: those that start on it, or (once
    `cumulative`) all up to its end."""

    users: list[int]
    conversions: list[int]
    totals: list[float]
    squares: list[float]

    @classmethod
    def empty(cls, days: int) -> _Tally:
        return cls([0] * days, [0] * days, [0.0] * days, [0.0] * days)

    def cumulative(self) -> _Tally:
        """Counts up to and including each day, from counts that start on it."""
        return _Tally(
            list(accumulate(self.users)),
            list(accumulate(self.conversions)),
            list(accumulate(self.totals)),
            list(accumulate(self.squares)),
        )

    def arm(self, key: str, weight: float, offset: int, metric: Metric, control: bool) -> Arm:
        users, conversions = self.users[offset], self.conversions[offset]
        if metric == "binomial":
            return Arm(key, weight, users, conversions, control=control)
        return Arm(key, weight, users, None, self.totals[offset], self.squares[offset], control)


def _control(weights: Mapping[str, float], control: str | None) -> str:
    if control is not None:
        if control not in weights:
            raise ValueError(f"control {control!r} is not one of the arms {list(weights)}")
        return control
    return "control" if "control" in weights else next(iter(weights))


def timeline(
    exposures: Iterable[Exposure],
    weights: Mapping[str, float],
    metric: Metric,
    *,
    control: str | None = None,
    alpha: float = 0.05,
    correction: Correction = "holm",
    sequential: bool = False,
    planned: int = sequential_test.PLANNED_USERS,
    until: date | None = None,
    bayesian_figures: bool = True,
) -> list[Day]:
    """The cumulative analysis at the end of each day; see the module docstring.

    ``weights`` names every arm (in the order the comparisons follow) with its share of the
    traffic; ``control`` defaults as in `analysis.control_of`. No exposures, no days.
    """
    if len(weights) < 2:
        raise ValueError("an experiment needs a control and at least one other arm")
    control_key = _control(weights, control)
    rows = list(exposures)
    unknown = sorted({row.arm for row in rows} - set(weights))
    if unknown:
        raise ValueError(f"exposures to arms {unknown} that are not among {list(weights)}")
    if not rows:
        return []
    first = min(row.exposed_on for row in rows)
    if until is None:
        happened = [row.exposed_on for row in rows]
        happened += [day for row in rows if (day := row.converted_on) is not None]
        until = max(happened)
    count = (until - first).days + 1
    if count < 1:
        return []
    tallies = {key: _Tally.empty(count) for key in weights}
    for row in rows:
        tally, exposed = tallies[row.arm], (row.exposed_on - first).days
        if exposed >= count:
            continue
        tally.users[exposed] += 1
        converted_on = row.converted_on
        if converted_on is not None and (converted := (converted_on - first).days) < count:
            tally.conversions[converted] += 1
            tally.totals[converted] += row.value
            tally.squares[converted] += row.value * row.value
    so_far = {key: tally.cumulative() for key, tally in tallies.items()}
    days = []
    for offset in range(count):
        arms = [
            so_far[key].arm(key, weight, offset, metric, key == control_key)
            for key, weight in weights.items()
        ]
        days.append(
            Day(
                first + timedelta(days=offset),
                {arm.key: arm.users for arm in arms},
                {key: tally.conversions[offset] for key, tally in so_far.items()},
                analyze(arms, metric, alpha, correction, sequential, planned, bayesian_figures),
            )
        )
    return days
