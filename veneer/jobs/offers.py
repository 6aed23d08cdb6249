"""Offers from triggers: served on request (`viewer { offers }`), made due as events arrive.

Both paths read the same facts the same way (the viewer's traits, segments, propensity and
recent events, the page their events say they are on) and hand them to the pure evaluation
in `veneer.triggers`. Nothing is read or recorded without PERSONALIZATION consent. Serving
reads the viewer's offer history and records what it serves in one transaction under a
lock on the viewer, so repeated and concurrent requests never exceed a cap.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from veneer.consent import Purpose
from veneer.content_adapters import ContentError
from veneer.identity.viewer import Viewer, viewer_of
from veneer.segments.evaluate import ViewerEvent, ViewerFacts
from veneer.segments.rules import event_lookback, referenced_event_types
from veneer.services import MAX_EVENTS_PER_VIEWER, Services
from veneer.store.events import recent_events
from veneer.store.triggers import (
    dismiss_due,
    lock_viewer,
    offer_history,
    record_due,
    record_served,
)
from veneer.triggers import Offer, PageFacts, Trigger, current_page, newly_due, offers_for
from veneer.triggers.evaluate import CONTROL_ARM, WEEK, exposed_arms
from veneer.triggers.page import PAGE_EVENTS, PAGE_WINDOW, viewed_entries
from veneer.viewer_state import ViewerState

logger = logging.getLogger(__name__)
DISMISSED = "offer_dismissed"
SIMILAR_TOP = 5  # an entry among the current page's five nearest counts as a similar item
SIMILAR_WINDOW = timedelta(days=7)  # how far back a viewed entry counts as viewed


@dataclass(frozen=True)
class EventNeeds:
    """Which of a viewer's events the triggers read, and how far back: rule and dismissal
    events as far as the rules and cooldowns look, page events only as far as the page
    conditions do (an hour, or a week when one counts similar entries viewed), so a viewer
    who browses a lot does not crowd the counted events out of the read."""

    types: frozenset[str]
    since: timedelta
    page_types: frozenset[str]
    page_since: timedelta


def event_needs(triggers: Sequence[Trigger], unbounded: timedelta) -> EventNeeds:
    rules = [t.when for t in triggers if t.when is not None]
    types = referenced_event_types(rules) | {DISMISSED}
    similar = any(t.page and t.page.similar_viewed for t in triggers)
    page_since = SIMILAR_WINDOW if similar else PAGE_WINDOW
    windows = [t.cooldown for t in triggers if t.cooldown]
    counted = event_lookback(rules, unbounded)
    if counted is not None:
        windows.append(counted)
    if types & PAGE_EVENTS:  # a rule counts page events: read them as far as the page needs
        windows.append(page_since)
    return EventNeeds(types, max(windows, default=PAGE_WINDOW), PAGE_EVENTS - types, page_since)


def dismissals(events: Sequence[ViewerEvent]) -> dict[str, datetime]:
    """The latest ``offer_dismissed`` per trigger (``properties.trigger`` names it)."""
    latest: dict[str, datetime] = {}
    for event in events:
        key = event.properties.get("trigger")
        if (
            event.type == DISMISSED
            and isinstance(key, str)
            and (key not in latest or event.timestamp > latest[key])
        ):
            latest[key] = event.timestamp
    return latest


async def page_facts(
    services: Services, triggers: Sequence[Trigger], events: Sequence[ViewerEvent], now: datetime
) -> PageFacts:
    """The current page, its content type from the CMS, and how many of the entries most
    like it the viewer viewed (looked up only when a trigger asks)."""
    page = current_page(events, now)
    if page is None:
        return PageFacts()
    try:
        entry = await services.content.get_entry(page.entry_id)
    except ContentError:
        logger.warning("content for page %r unavailable; page type unknown", page.entry_id)
        entry = None
    similar = 0
    if entry is not None and any(t.page and t.page.similar_viewed for t in triggers):
        index = await services.catalogue.index()
        near = sorted(
            ((score, id_) for id_, score in index.scores(entry).items() if id_ != entry.id),
            reverse=True,
        )[:SIMILAR_TOP]
        seen = viewed_entries(events, now - SIMILAR_WINDOW) - {entry.id}
        similar = len(seen & {id_ for _score, id_ in near})
    return PageFacts(
        entry_id=page.entry_id,
        content_type=None if entry is None else entry.content_type,
        seconds=page.seconds,
        similar_viewed=similar,
    )


async def _facts(
    services: Services, viewer_id: str, state: ViewerState, triggers: Sequence[Trigger]
) -> tuple[ViewerFacts, PageFacts, dict[str, datetime]]:
    now = services.clock()
    needs = event_needs(triggers, timedelta(days=services.settings.event_lookback_days))
    async with services.db.reading() as session:
        events = await recent_events(
            session, viewer_id, now - needs.since, MAX_EVENTS_PER_VIEWER, needs.types
        )
        if needs.page_types:
            events += await recent_events(
                session, viewer_id, now - needs.page_since, MAX_EVENTS_PER_VIEWER, needs.page_types
            )
    scores = {event: score.score for event, score in state.propensity.items()}
    facts = ViewerFacts(state.traits, events, scores)
    return facts, await page_facts(services, triggers, events, now), dismissals(events)


def _held_back(state: ViewerState) -> dict[str, str]:
    """The viewer's arms as the evaluator reads them: an experiment's control arm, whatever
    its key, is `control`, the arm whose offers are held back."""
    return {
        key: CONTROL_ARM if state.controls.get(key) == arm else arm
        for key, arm in state.arms.items()
    }


async def serve_offers(
    services: Services,
    viewer: Viewer,
    state: ViewerState,
    placement: str | None,
) -> list[Offer]:
    """The offers to show the viewer now, recorded as served (they count towards caps).

    A trigger in an experiment that puts the viewer in ``control`` is held back; whichever
    arm they are in, the moment it would have fired is their exposure to the experiment
    (recorded once, with ANALYTICS, as for variants).
    """
    arms, segments = state.arms, state.segments
    held_back = _held_back(state)
    if Purpose.PERSONALIZATION not in state.granted:
        return []
    triggers = await services.trigger_definitions()
    if placement is not None:
        triggers = [t for t in triggers if t.offer.placement == placement]
    if not triggers:
        return []
    facts, page, dismissed = await _facts(services, viewer.id, state, triggers)
    async with services.db.session() as session:
        await lock_viewer(session, viewer.id)
        now = services.clock()
        await dismiss_due(session, viewer.id, dismissed)
        history = await offer_history(session, viewer.id, now - WEEK, dismissed)
        offers = offers_for(
            triggers,
            facts,
            page,
            history,
            now,
            placement=placement,
            segments=state.segments,
            arms=held_back,
        )
        await record_served(session, viewer.id, offers, now)
        exposed = exposed_arms(
            triggers, facts, page, history, now, placement=placement, segments=segments, arms=arms
        )
    fresh = {k: arm for k, arm in exposed.items() if k not in state.exposures}
    if fresh and Purpose.ANALYTICS in state.granted:
        await services.record_exposures(viewer, fresh)
    return offers


async def refresh_offers(services: Services, profile_ids: Collection[str]) -> int:
    """After these profiles' events were committed: store the offers that became due, and
    mark dismissed the waiting ones the viewer dismissed. Returns how many became due.

    Decided first on a read, so a batch in which nothing became due or was dismissed (most
    of them) writes nothing; what is written is decided again under the viewer's lock.
    """
    now = services.clock()
    triggers = [t for t in await services.trigger_definitions() if t.page is None]
    if not any(t.is_live(now) for t in triggers):
        return 0
    made = 0
    for profile_id in sorted(profile_ids):
        viewer = viewer_of(profile_id)
        if viewer is None:
            continue
        state = await services.viewer_state(viewer, gpc=False)
        if Purpose.PERSONALIZATION not in state.granted:
            continue
        arms = _held_back(state)
        facts, page, dismissed = await _facts(services, profile_id, state, triggers)
        async with services.db.reading() as session:
            history = await offer_history(session, profile_id, now - WEEK, dismissed)
        due = newly_due(triggers, facts, page, history, now, segments=state.segments, arms=arms)
        waiting = {k for k, h in history.items() if h.due and k in dismissed}
        if not due and not waiting:
            continue
        async with services.db.session() as session:
            await lock_viewer(session, profile_id)
            now = services.clock()
            await dismiss_due(session, profile_id, dismissed)
            history = await offer_history(session, profile_id, now - WEEK, dismissed)
            due = newly_due(triggers, facts, page, history, now, segments=state.segments, arms=arms)
            await record_due(session, profile_id, due, now)
        made += len(due)
    return made
