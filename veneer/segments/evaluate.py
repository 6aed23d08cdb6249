"""Evaluate segment rules for one viewer, as pure code over plain data.

Windows are measured back from ``now`` at evaluation time, never at write time, so a
membership that depended on a window that has slid past does not linger.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from veneer.segments.rules import (
    All,
    AnyOf,
    EventCondition,
    Not,
    PropensityCondition,
    Rule,
    SegmentRef,
    TraitCondition,
    reference_cycles,
)


@dataclass(frozen=True)
class ViewerEvent:
    """The parts of an event that rules can look at."""

    type: str
    timestamp: datetime
    entry_id: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ViewerFacts:
    """Everything a rule may depend on for one viewer."""

    traits: Mapping[str, Any] = field(default_factory=dict)
    events: Sequence[ViewerEvent] = ()
    propensity: Mapping[str, float] = field(default_factory=dict)  # event -> stored score


_MISSING = object()


def _same(actual: Any, expected: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, and a rule's list equals a trait's list."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
        return len(actual) == len(expected) and all(map(_same, actual, expected))
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        return actual.keys() == expected.keys() and all(
            _same(actual[k], expected[k]) for k in actual
        )
    return bool(actual == expected)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    numeric = all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in (actual, expected)
    )
    if not numeric and not (isinstance(actual, str) and isinstance(expected, str)):
        return False
    if op == "gt":
        return bool(actual > expected)
    if op == "gte":
        return bool(actual >= expected)
    if op == "lt":
        return bool(actual < expected)
    return bool(actual <= expected)


def trait_matches(condition: TraitCondition, traits: Mapping[str, Any]) -> bool:
    """A missing trait satisfies only ``exists: false``."""
    actual = traits.get(condition.trait, _MISSING)
    op, expected = condition.op, condition.value
    if op == "exists":
        return bool((actual is not _MISSING and actual is not None) == expected)
    if actual is _MISSING or actual is None:
        return False
    if op == "eq":
        return _same(actual, expected)
    if op == "ne":
        return not _same(actual, expected)
    if op == "in":
        return any(_same(actual, v) for v in expected)
    if op == "between":
        low, high = expected
        return _compare("gte", actual, low) and _compare("lte", actual, high)
    if op == "contains":
        if isinstance(actual, list | tuple):
            return any(_same(v, expected) for v in actual)
        return isinstance(actual, str) and isinstance(expected, str) and expected in actual
    return _compare(op, actual, expected)


def propensity_matches(condition: PropensityCondition, scores: Mapping[str, float]) -> bool:
    """A viewer never scored for the event (no consent, no model, no activity) matches none."""
    score = scores.get(condition.event)
    if score is None:
        return False
    if isinstance(condition.value, tuple):
        low, high = condition.value
        return low <= score <= high
    return _compare(condition.op, score, condition.value)


def _event_field(event: ViewerEvent, name: str) -> Any:
    if name.startswith("properties."):
        return event.properties.get(name.split(".", 1)[1], _MISSING)
    return {"type": event.type, "entryId": event.entry_id}.get(name, _MISSING)


def event_count(condition: EventCondition, events: Sequence[ViewerEvent], now: datetime) -> int:
    since = now - condition.within if condition.within is not None else None
    count = 0
    for event in events:
        if event.type != condition.event or event.timestamp > now:
            continue
        if since is not None and event.timestamp < since:
            continue
        if all(
            any(_same(_event_field(event, name), w) for w in wanted)
            if isinstance(wanted, tuple)
            else _same(_event_field(event, name), wanted)
            for name, wanted in condition.where
        ):
            count += 1
    return count


def _count_holds(op: str, actual: int, n: int) -> bool:
    return actual == n if op == "eq" else _compare(op, actual, n)


def matches(
    rule: Rule, facts: ViewerFacts, now: datetime, in_segment: Callable[[str], bool]
) -> bool:
    if isinstance(rule, All):
        return all(matches(r, facts, now, in_segment) for r in rule.rules)
    if isinstance(rule, AnyOf):
        return any(matches(r, facts, now, in_segment) for r in rule.rules)
    if isinstance(rule, Not):
        return not matches(rule.rule, facts, now, in_segment)
    if isinstance(rule, TraitCondition):
        return trait_matches(rule, facts.traits)
    if isinstance(rule, SegmentRef):
        return in_segment(rule.key)
    if isinstance(rule, PropensityCondition):
        return propensity_matches(rule, facts.propensity)
    actual = event_count(rule, facts.events, now)
    return all(_count_holds(op, actual, n) for op, n in rule.count)


def evaluate_segments(
    rules: Mapping[str, Rule],
    facts: ViewerFacts,
    now: datetime,
    cyclic: frozenset[str] | None = None,
) -> frozenset[str]:
    """The keys of every segment the viewer is in.

    References are resolved once each; a reference to an unknown segment, or one caught in a
    cycle (which saving a segment prevents), counts as not a member, whatever order the rules
    come in. ``cyclic`` is ``reference_cycles(rules).keys``, for a caller that evaluates the
    same rules for every request and works it out once.
    """
    memo: dict[str, bool] = {}
    if cyclic is None:
        cyclic = reference_cycles(rules).keys

    def in_segment(key: str) -> bool:
        if key in memo:
            return memo[key]
        if key not in rules or key in cyclic:
            return False
        memo[key] = matches(rules[key], facts, now, in_segment)
        return memo[key]

    return frozenset(key for key in rules if in_segment(key))
