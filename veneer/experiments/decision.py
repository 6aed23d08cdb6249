"""The decision line: what an experiment's figures say to do, in one sentence.

A marketer reads this before any number, so its order is the order of trust: a broken split
first (no figure after it means anything), then a guardrail an arm harms, then a winner, a
loser, or "keep it running". It only restates the analysis; the figures stay beside it.
"""

from __future__ import annotations

from collections.abc import Mapping

from veneer.experiments.analysis import Analysis, Comparison


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f}%"


def _interval(comparison: Comparison) -> str:
    low, high = comparison.ci
    return f"interval {_percent(low)} to {_percent(high)}"


def _significant(comparison: Comparison, alpha: float) -> bool:
    p = comparison.p_value_adjusted
    return p is not None and p < alpha and comparison.lift is not None


def decision(analysis: Analysis, guardrails: Mapping[str, Analysis], alpha: float = 0.05) -> str:
    if not analysis.comparisons or all(c.lift is None for c in analysis.comparisons):
        return "not enough data yet: every arm needs exposed viewers (and control conversions)"
    if not analysis.trustworthy:
        return (
            f"do not trust these results: viewers are not split across arms as the weights say "
            f"(sample-ratio mismatch, p = {analysis.srm_p_value:.2g}); find out why before deciding"
        )
    for metric, guard in guardrails.items():
        for comparison in guard.comparisons:
            if _significant(comparison, alpha) and (comparison.lift or 0) < 0:
                return (
                    f"`{comparison.arm}` harms guardrail `{metric}` "
                    f"({_percent(comparison.lift)}, {_interval(comparison)}): do not ship it"
                )
    winners = [c for c in analysis.comparisons if _significant(c, alpha) and (c.lift or 0) > 0]
    if winners:
        best = max(winners, key=lambda c: c.lift or 0.0)
        return (
            f"`{best.arm}` beats control by {_percent(best.lift)} ({_interval(best)}, "
            f"adjusted p = {best.p_value_adjusted:.2g}): ship `{best.arm}`"
        )
    losers = [c for c in analysis.comparisons if _significant(c, alpha)]
    if len(losers) == len(analysis.comparisons):
        return "every arm does worse than control: keep the control"
    leading = max(
        (c for c in analysis.comparisons if c.lift is not None), key=lambda c: c.lift or 0.0
    )
    return (
        f"no arm differs from control yet (leading: `{leading.arm}` {_percent(leading.lift)}, "
        f"{_interval(leading)}): keep it running"
    )
