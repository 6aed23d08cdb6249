"""The page the viewer is on now, read from their own recent events.

`viewer { offers(placement:) }` takes no page arguments, so the page is what the viewer's
events say: the current page is their latest ``entry_view``, and the time on it is the
``seconds`` of their latest ``time_on_page`` event for that entry sent since that view
(clients send it as a heartbeat, seconds so far). A site that tracks those two events gets
page conditions without changing its queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from veneer.segments.evaluate import ViewerEvent

PAGE_EVENTS = frozenset({"entry_view", "time_on_page"})
PAGE_WINDOW = timedelta(hours=1)  # an older view is not the page the viewer is on now


@dataclass(frozen=True)
class CurrentPage:
    entry_id: str
    viewed_at: datetime
    seconds: float


@dataclass(frozen=True)
class PageFacts:
    """The current page with what the edge looked up about it (its type, similar entries)."""

    entry_id: str | None = None
    content_type: str | None = None
    seconds: float = 0.0
    similar_viewed: int = 0


def current_page(events: Sequence[ViewerEvent], now: datetime) -> CurrentPage | None:
    """The latest entry view within `PAGE_WINDOW`, and the seconds spent on it since."""
    views = [
        e
        for e in events
        if e.type == "entry_view" and e.entry_id and now - PAGE_WINDOW <= e.timestamp <= now
    ]
    if not views:
        return None
    view = max(views, key=lambda e: e.timestamp)
    assert view.entry_id is not None
    heartbeats = [
        e
        for e in events
        if e.type == "time_on_page"
        and e.entry_id == view.entry_id
        and view.timestamp <= e.timestamp <= now
    ]
    seconds = 0.0
    if heartbeats:
        latest = max(heartbeats, key=lambda e: e.timestamp).properties.get("seconds")
        if isinstance(latest, int | float) and not isinstance(latest, bool):
            seconds = float(latest)
    return CurrentPage(view.entry_id, view.timestamp, seconds)


def viewed_entries(events: Iterable[ViewerEvent], since: datetime) -> set[str]:
    """Entries the viewer viewed since ``since``, to tell whether they saw similar ones."""
    return {
        e.entry_id for e in events if e.type == "entry_view" and e.entry_id and e.timestamp >= since
    }
