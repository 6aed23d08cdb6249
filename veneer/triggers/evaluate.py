"""Which offers a viewer gets now: a pure function of triggers, facts, history and ``now``.

Order of checks, cheapest and most final first: the trigger is live (start/end), the
placement is the one asked for, the viewer is not in the experiment's control arm, no
cooldown after a dismissal is running, the caps leave room (offers served in the past 24
hours and 7 days, rolling), and then the trigger fires: a due offer stored by the worker
still stands, or the rule and page conditions hold now. Offers come highest priority first,
at most one per trigger.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from veneer.segments.evaluate import ViewerFacts, matches
from veneer.triggers.definition import PageConditions, Trigger
from veneer.triggers.page import PageFacts
from veneer.triggers.reasons import describe_page, describe_rule

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
CONTROL_ARM = "control"


@dataclass(frozen=True)
class DueOffer:
    """An offer the worker found due as events arrived, waiting to be served."""

    at: datetime
    reason: str


@dataclass(frozen=True)
class History:
    """What a viewer already had of one trigger."""

    served: Sequence[datetime] = ()  # times served in the past week at least
    dismissed_at: datetime | None = None  # latest ``offer_dismissed`` naming the trigger
    due: DueOffer | None = None


@dataclass(frozen=True)
class Offer:
    trigger: str
    placement: str
    reason: str
    priority: int = 0
    entry: str | None = None
    content: Mapping[str, Any] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    from_due: bool = False  # served from a stored due offer, which serving marks served


def _holds(op: str, actual: float, expected: float) -> bool:
    return {
        "eq": actual == expected,
        "gt": actual > expected,
        "gte": actual >= expected,
        "lt": actual < expected,
        "lte": actual <= expected,
    }[op]


def page_holds(conditions: PageConditions, page: PageFacts) -> bool:
    if conditions.entry is not None and page.entry_id != conditions.entry:
        return False
    if conditions.content_type is not None and page.content_type != conditions.content_type:
        return False
    if (conditions.time_on_page or conditions.similar_viewed) and page.entry_id is None:
        return False
    if not all(_holds(op, page.seconds, n) for op, n in conditions.time_on_page):
        return False
    return all(_holds(op, page.similar_viewed, n) for op, n in conditions.similar_viewed)


def blocked(trigger: Trigger, history: History, now: datetime, arms: Mapping[str, str]) -> bool:
    """Whatever the viewer did, this trigger may not fire now: dates, experiment, cooldown, caps.

    ``arms`` is the experiment hook: the viewer's arm per experiment key. A viewer in an
    experiment's ``control`` arm is not shown its offers; an experiment the viewer is not
    assigned to (or not known here) shows them.
    """
    if not trigger.is_live(now):
        return True
    if trigger.experiment is not None and arms.get(trigger.experiment) == CONTROL_ARM:
        return True
    dismissed = history.dismissed_at
    if trigger.cooldown and dismissed is not None and now < dismissed + trigger.cooldown:
        return True
    served = [t for t in history.served if t <= now]
    if trigger.per_day is not None and sum(t > now - DAY for t in served) >= trigger.per_day:
        return True
    return trigger.per_week is not None and sum(t > now - WEEK for t in served) >= trigger.per_week


def fires(
    trigger: Trigger, facts: ViewerFacts, page: PageFacts, now: datetime, segments: Set[str]
) -> str | None:
    """The reason the trigger's conditions hold now, or None when they do not."""

    def in_segment(key: str) -> bool:
        return key in segments

    if trigger.when is not None and not matches(trigger.when, facts, now, in_segment):
        return None
    if trigger.page is not None and not page_holds(trigger.page, page):
        return None
    parts: list[str] = []
    if trigger.when is not None:
        parts.append(describe_rule(trigger.when, facts, now, in_segment))
    if trigger.page is not None:
        parts.append(
            describe_page(page, bool(trigger.page.time_on_page), bool(trigger.page.similar_viewed))
        )
    return "; ".join(parts) or "shown to every viewer with PERSONALIZATION consent"


def _live_due(history: History) -> DueOffer | None:
    """A due offer stands until it is served or dismissed."""
    due = history.due
    if due is None or (history.dismissed_at is not None and history.dismissed_at >= due.at):
        return None
    return due


def offers_for(
    triggers: Sequence[Trigger],
    facts: ViewerFacts,
    page: PageFacts,
    history: Mapping[str, History],
    now: datetime,
    *,
    placement: str | None = None,
    segments: Set[str] = frozenset(),
    arms: Mapping[str, str] | None = None,
) -> list[Offer]:
    """The offers to serve now (``placement``: only that one), highest priority first."""
    offers: list[Offer] = []
    for trigger in sorted(triggers, key=lambda t: (-t.priority, t.key)):
        if placement is not None and trigger.offer.placement != placement:
            continue
        past = history.get(trigger.key, History())
        if blocked(trigger, past, now, arms or {}):
            continue
        due = _live_due(past)
        reason = due.reason if due is not None else fires(trigger, facts, page, now, segments)
        if reason is None:
            continue
        offer = trigger.offer
        offers.append(
            Offer(
                trigger=trigger.key,
                placement=offer.placement,
                reason=reason,
                priority=trigger.priority,
                entry=offer.entry,
                content=offer.content,
                params=offer.params,
                from_due=due is not None,
            )
        )
    return offers


def newly_due(
    triggers: Sequence[Trigger],
    facts: ViewerFacts,
    page: PageFacts,
    history: Mapping[str, History],
    now: datetime,
    *,
    segments: Set[str] = frozenset(),
    arms: Mapping[str, str] | None = None,
) -> list[Offer]:
    """Offers that became due as events arrived and are not already waiting, any placement.

    Only triggers without page conditions become due: a page condition is about the page
    the viewer is on when they ask, so those triggers are decided on request alone, and an
    email sent later never carries an offer meant for a page the viewer has left.
    """
    standing = [t for t in triggers if t.page is None]
    return [
        offer
        for offer in offers_for(standing, facts, page, history, now, segments=segments, arms=arms)
        if not offer.from_due
    ]


def exposed_arms(
    triggers: Sequence[Trigger],
    facts: ViewerFacts,
    page: PageFacts,
    history: Mapping[str, History],
    now: datetime,
    *,
    placement: str | None = None,
    segments: Set[str] = frozenset(),
    arms: Mapping[str, str],
) -> dict[str, str]:
    """The experiments this request exposes the viewer to: a trigger with an experiment
    whose offer would be served now if the experiment did not hold it back.

    The control arm is exposed too (to not seeing the offer): both sides are counted at the
    same moment, when the trigger fires, so the comparison is between like viewers.
    """
    enrolled = [t for t in triggers if t.experiment is not None and t.experiment in arms]
    if not enrolled:
        return {}
    would = offers_for(
        enrolled, facts, page, history, now, placement=placement, segments=segments, arms={}
    )
    keys = {offer.trigger for offer in would}
    return {
        t.experiment: arms[t.experiment]
        for t in enrolled
        if t.key in keys and t.experiment is not None
    }
