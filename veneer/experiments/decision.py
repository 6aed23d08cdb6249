"""The decision line: what an experiment's figures say to do, in one sentence.

A marketer reads this before any number, so its order is the order of trust: a broken split
first (no figure after it means anything), then a guardrail an arm harms, then a winner, a
loser, or "keep it running". It only restates the analysis; the figures stay beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the engine loads scipy: only the request that reads results pays
    from veneer.experiments.analysis import Analysis, Comparison


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f}%"


def _interval(comparison: Comparison) -> str:
    low, high = comparison.ci
    if low is None or high is None:
        return "no interval yet"
    return f"interval {_percent(low)} to {_percent(high)}"


def _significant(comparison: Comparison, alpha: float) -> bool:
    p = comparison.p_value_adjusted
    return p is not None and p < alpha and comparison.lift is not None


@dataclass(frozen=True)
class Verdict:
    """``ship`` (``arm`` won), ``keep-control`` (every arm lost), ``harm`` (``arm`` hurt a
    guardrail), ``untrustworthy``, ``waiting`` (too little data) or ``running``."""

    kind: Literal["ship", "keep-control", "harm", "untrustworthy", "waiting", "running"]
    text: str
    arm: str | None = None


def verdict(analysis: Analysis, guardrails: Mapping[str, Analysis], alpha: float = 0.05) -> Verdict:
    if not analysis.trustworthy:
        return Verdict(
            "untrustworthy",
            "do not trust these results: viewers are not split across arms as the weights say "
            f"(sample-ratio mismatch, p = {analysis.srm_p_value:.2g}); find out why before "
            "deciding",
        )
    if not analysis.comparisons or all(c.lift is None for c in analysis.comparisons):
        return Verdict(
            "waiting",
            "not enough data yet: every arm needs exposed viewers (and control conversions)",
        )
    for metric, guard in guardrails.items():
        for comparison in guard.comparisons:
            if _significant(comparison, alpha) and (comparison.lift or 0) < 0:
                return Verdict(
                    "harm",
                    f"`{comparison.arm}` harms guardrail `{metric}` "
                    f"({_percent(comparison.lift)}, {_interval(comparison)}): do not ship it",
                    comparison.arm,
                )
    winners = [c for c in analysis.comparisons if _significant(c, alpha) and (c.lift or 0) > 0]
    if winners:
        best = max(winners, key=lambda c: c.lift or 0.0)
        return Verdict(
            "ship",
            f"`{best.arm}` beats control by {_percent(best.lift)} ({_interval(best)}, "
            f"adjusted p = {best.p_value_adjusted:.2g}): ship `{best.arm}`",
            best.arm,
        )
    losers = [c for c in analysis.comparisons if _significant(c, alpha)]
    if len(losers) == len(analysis.comparisons):
        return Verdict("keep-control", "every arm does worse than control: keep the control")
    leading = max(
        (c for c in analysis.comparisons if c.lift is not None), key=lambda c: c.lift or 0.0
    )
    return Verdict(
        "running",
        f"no arm differs from control yet (leading: `{leading.arm}` {_percent(leading.lift)}, "
        f"{_interval(leading)}): keep it running",
    )


def decision(analysis: Analysis, guardrails: Mapping[str, Analysis], alpha: float = 0.05) -> str:
    return verdict(analysis, guardrails, alpha).text
