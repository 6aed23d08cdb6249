"""An experiment's results over time, as a PNG: each arm's lift with its interval, day by day.

A lift read once can be a fluke of the day it was read; the same lift drawn every day shows
whether it settled, and whether its interval has left zero behind. Its own module because
matplotlib takes a second to import and tens of megabytes: only the command that writes the
report loads it, never the app or the worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from veneer.experiments.timeline import Day

matplotlib.use("Agg")  # files only, no screen


def _number(value: float | None) -> float:
    """A missing figure as NaN, which matplotlib leaves as a gap in the line."""
    return float("nan") if value is None else value


def _limits(day: Day) -> tuple[float, float] | None:
    """A lift axis framed on the last day's intervals (and zero), a span either side: the
    first days' intervals are many times wider and would flatten everything after them, so
    they run off the chart instead."""
    ends = [end for c in day.analysis.comparisons for end in c.ci if end is not None]
    if not ends:
        return None
    low, high = min(*ends, 0.0), max(*ends, 0.0)
    span = max(high - low, 0.01)
    return low - span, high + span


def plot_timeline(days: Sequence[Day], path: Path, title: str) -> Path:
    """Draw ``days`` (from `timeline.timeline`) to ``path`` as a PNG and return the path."""
    figure = Figure(figsize=(8, 4.5))
    axes = figure.subplots()
    dates = np.array([day.day for day in days], dtype="datetime64[D]")
    arms = [c.arm for c in days[0].analysis.comparisons] if days else []
    for index, arm in enumerate(arms):
        found = [next(c for c in day.analysis.comparisons if c.arm == arm) for day in days]
        colour = f"C{index}"
        axes.plot(dates, [_number(c.lift) for c in found], marker="o", color=colour, label=arm)
        axes.fill_between(
            dates,
            [_number(c.ci[0]) for c in found],
            [_number(c.ci[1]) for c in found],
            color=colour,
            alpha=0.2,
            linewidth=0,
        )
    axes.axhline(0.0, color="grey", linewidth=1)
    limits = _limits(days[-1]) if days else None
    if limits is not None:
        axes.set_ylim(*limits)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    sequential = bool(days) and days[-1].analysis.sequential
    band = "confidence sequence" if sequential else "confidence interval"
    axes.set_ylabel(f"lift against control (band: {band})")
    broken = [day.day for day in days if not day.analysis.trustworthy]
    if broken:
        axes.set_xlabel(f"sample ratio mismatch from {broken[0].isoformat()}: do not trust")
    if arms:
        axes.legend(loc="upper left")
    axes.set_title(title)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=100, format="png")
    return path
