"""Why an offer fired, in plain words, from the facts that made its rule hold.

Each condition says what the viewer did or is ("cart_abandoned 2 times in the past 7 days"),
not how the rule is written, so the person reading a reason needs no rule language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from veneer.segments.evaluate import ViewerFacts, event_count, matches
from veneer.segments.rules import (
    All,
    AnyOf,
    EventCondition,
    Not,
    PropensityCondition,
    Rule,
    SegmentRef,
    TraitCondition,
)
from veneer.triggers.page import PageFacts


def window_words(window: timedelta) -> str:
    """``7d`` as "7 days", ``48h`` as "48 hours", ``30m`` as "30 minutes"."""
    minutes = int(window.total_seconds() // 60)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            amount = minutes // size
            return f"{amount} {unit}{'' if amount == 1 else 's'}"
    return str(window)  # pragma: no cover - windows are whole minutes


def _event(rule: EventCondition, facts: ViewerFacts, now: datetime) -> str:
    n = event_count(rule, facts.events, now)
    text = f"{rule.event} {n} time{'' if n == 1 else 's'}"
    if rule.where:
        text += " (" + ", ".join(f"{k} {v}" for k, v in rule.where) + ")"
    if rule.within is not None:
        text += f" in the past {window_words(rule.within)}"
    return text


def describe_rule(
    rule: Rule, facts: ViewerFacts, now: datetime, in_segment: Callable[[str], bool]
) -> str:
    """The facts behind a rule that holds; for ``any``, the first alternative that held."""
    if isinstance(rule, All):
        return "; ".join(describe_rule(r, facts, now, in_segment) for r in rule.rules)
    if isinstance(rule, AnyOf):
        held = [r for r in rule.rules if matches(r, facts, now, in_segment)] or list(rule.rules)
        return describe_rule(held[0], facts, now, in_segment)
    if isinstance(rule, Not):
        return "not: " + describe_rule(rule.rule, facts, now, in_segment)
    if isinstance(rule, EventCondition):
        return _event(rule, facts, now)
    if isinstance(rule, TraitCondition):
        return f"{rule.trait} is {facts.traits.get(rule.trait)!r}"
    if isinstance(rule, SegmentRef):
        return f"{'in' if in_segment(rule.key) else 'not in'} segment {rule.key}"
    assert isinstance(rule, PropensityCondition)
    score = facts.propensity.get(rule.event)
    return f"propensity to {rule.event} {'unknown' if score is None else f'{score:.2f}'}"


def describe_page(page: PageFacts, time_checked: bool, similar_checked: bool) -> str:
    """The page facts a trigger's page conditions looked at."""
    where = " ".join(p for p in (page.content_type, page.entry_id) if p) or "the current page"
    text = f"on {where}"
    if time_checked:
        text += f" for {page.seconds:g} s"
    if similar_checked:
        n = page.similar_viewed
        text += f", viewed {n} similar item{'' if n == 1 else 's'}"
    return text
