"""Which segments a change can affect, so only those are re-decided.

An event of type ``purchase`` can change only segments that count ``purchase`` events, and
the segments that refer to those; new traits can change only segments with trait conditions
(and their referrers); new propensity scores for ``purchase`` only segments that compare
that score. Windowed segments also change as time passes, with no event at all.
Pure: rules in, segment keys out.
"""

from __future__ import annotations

from collections.abc import Mapping

from veneer.segments.rules import (
    All,
    AnyOf,
    EventCondition,
    Not,
    PropensityCondition,
    Rule,
    TraitCondition,
    referenced_segments,
)


def _leaves(rule: Rule) -> list[Rule]:
    if isinstance(rule, All | AnyOf):
        return [leaf for r in rule.rules for leaf in _leaves(r)]
    if isinstance(rule, Not):
        return _leaves(rule.rule)
    return [rule]


def _with_referrers(rules: Mapping[str, Rule], keys: set[str]) -> set[str]:
    """``keys`` plus every segment that refers to one of them, directly or not."""
    found = set(keys)
    grew = True
    while grew:
        referrers = {
            k for k, r in rules.items() if k not in found and referenced_segments(r) & found
        }
        found |= referrers
        grew = bool(referrers)
    return found


def affected_by_events(rules: Mapping[str, Rule], event_types: set[str]) -> set[str]:
    direct = {
        key
        for key, rule in rules.items()
        if any(
            isinstance(leaf, EventCondition) and leaf.event in event_types for leaf in _leaves(rule)
        )
    }
    return _with_referrers(rules, direct)


def affected_by_traits(rules: Mapping[str, Rule]) -> set[str]:
    direct = {
        key
        for key, rule in rules.items()
        if any(isinstance(leaf, TraitCondition) for leaf in _leaves(rule))
    }
    return _with_referrers(rules, direct)


def moved_by_time(rules: Mapping[str, Rule]) -> set[str]:
    """Segments with event conditions: their windows slide (unbounded ones are capped too)."""
    direct = {
        key
        for key, rule in rules.items()
        if any(isinstance(leaf, EventCondition) for leaf in _leaves(rule))
    }
    return _with_referrers(rules, direct)


def affected_by_scores(rules: Mapping[str, Rule], events: set[str]) -> set[str]:
    """Segments that compare a propensity score for one of ``events``, and their referrers."""
    direct = {
        key
        for key, rule in rules.items()
        if any(
            isinstance(leaf, PropensityCondition) and leaf.event in events for leaf in _leaves(rule)
        )
    }
    return _with_referrers(rules, direct)
