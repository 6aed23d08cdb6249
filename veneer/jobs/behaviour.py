"""Measuring behaviour from the database: the feature rows clustering fits and assigns on.

What each feature means is `veneer.segments.behaviour` (pure); this module reads the events
and the entries' tags it needs, for the clustering run and for live assignment alike, so both
measure exactly the same way.
"""

from __future__ import annotations

from array import array
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import numpy as np

from veneer.segments.behaviour import TAG_EVENT, Feature, events_read, measure
from veneer.segments.rules import parse_window
from veneer.services import Services
from veneer.store.events import each_viewers_events, events_per_entry

TAG_PAGE = 100


async def behaviour(
    services: Services, features: list[Feature], viewer_ids: list[str] | None = None
) -> np.ndarray:
    """One row per profile with any event in the window (or just ``viewer_ids``').

    Rows go straight into a flat array of doubles, 8 bytes a value, so measuring millions of
    profiles does not hold millions of Python lists.
    """
    flat = array("d")
    async for _viewer, row in each_viewers_behaviour(services, features, viewer_ids):
        flat.extend(row)
    return np.frombuffer(flat, dtype=float).reshape(-1, len(features))


async def behaviour_by_viewer(
    services: Services,
    features: list[Feature],
    viewer_ids: list[str] | None,
    now: datetime | None = None,
) -> dict[str, list[float]]:
    """The features of these viewers (or all) with events in the window ending ``now``."""
    return {v: row async for v, row in each_viewers_behaviour(services, features, viewer_ids, now)}


async def each_viewers_behaviour(
    services: Services,
    features: list[Feature],
    viewer_ids: list[str] | None = None,
    now: datetime | None = None,
) -> AsyncIterator[tuple[str, list[float]]]:
    """Each active profile's features, its events streamed in viewer order (one in memory).

    ``now`` (default: the clock) ends the windows: propensity training measures viewers as
    they were at a past cutoff, and nothing after it may leak into what it learns from.
    """
    if any(f.kind == "trait" for f in features):
        raise ValueError("features: traits are not behaviour; cluster on events")
    now = now or services.clock()
    longest = max((parse_window(f.within) for f in features), default=timedelta(days=30))
    async with services.db.reading() as session:
        async for viewer_id, events in each_viewers_events(
            session, now - longest, now, events_read(features), viewer_ids
        ):
            yield viewer_id, measure(events, features, now)


async def tagged_entries(services: Services, field: str) -> dict[str, list[str]]:
    """Entry ids by tag, from each published entry's ``field`` (a list of strings)."""
    found: dict[str, list[str]] = {}
    after: str | None = None
    while True:
        page = await services.content.list_entries(None, TAG_PAGE, after, None)
        for entry in page.entries:
            tags = entry.fields.get(field)
            for tag in tags if isinstance(tags, list) else []:
                if isinstance(tag, str) and tag:
                    found.setdefault(tag, []).append(entry.id)
        if not page.has_next_page or not page.cursors:
            return found
        after = page.cursors[-1]


async def affinity_features(
    services: Services, within: str, how_many: int, field: str = "tags"
) -> list[Feature]:
    """Views of each of the ``how_many`` tags viewed most in the window, as features."""
    if how_many <= 0:
        return []
    by_tag = await tagged_entries(services, field)
    now = services.clock()
    async with services.db.reading() as session:
        views = await events_per_entry(session, TAG_EVENT, now - parse_window(within), now)
    totals = {tag: sum(views.get(i, 0) for i in ids) for tag, ids in by_tag.items()}
    top = sorted((t for t in totals if totals[t]), key=lambda t: (-totals[t], t))[:how_many]
    return [Feature.tag_views(tag, by_tag[tag], within) for tag in top]
