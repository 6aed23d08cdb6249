"""What a request for recommendations reads besides the catalogue, each cached briefly.

- Popularity: the table the popularity job wrote, the same for every viewer, so one cached
  copy serves them all (and the job drops it when it writes a new one).
- The viewer's own activity: their latest views and cart adds, what they bought, and what
  they were shown over and over without taking it up. Read only for a viewer who granted
  RECOMMENDATIONS, and cached under the viewer's prefix, so a consent change, new events or
  erasure drop it with the rest of their cached state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from veneer.recommend.candidates import Interaction
from veneer.recommend.ignored import passed_over
from veneer.recommend.popularity import Popularity
from veneer.services import Services
from veneer.store.popularity import read_popularity
from veneer.store.viewer_history import (
    purchased_entries,
    recent_interactions,
    shown_and_engaged,
)

POPULARITY_KEY = "recommend:popularity"
POPULARITY_TTL = 60.0  # other processes' new tables show up within this
HISTORY_LIMIT = 50  # views and cart adds: the newest distinct entries among them are compared
PURCHASE_LIMIT = 500
SHOWN_LIMIT = 2_000  # newest impressions and engagements read: a few busy days' worth


@dataclass(frozen=True)
class ViewerActivity:
    history: tuple[Interaction, ...] = ()  # newest first
    bought: frozenset[str] = frozenset()
    passed_over: frozenset[str] = frozenset()  # shown too often without a click


async def popularity_table(services: Services) -> Popularity:
    cached = await services.cache.get(POPULARITY_KEY)
    if isinstance(cached, dict):
        return cached
    async with services.db.reading() as session:
        table = await read_popularity(session)
    await services.cache.set(POPULARITY_KEY, table, POPULARITY_TTL)
    return table


async def popularity_changed(services: Services) -> None:
    await services.cache.delete(POPULARITY_KEY)


async def viewer_activity(services: Services, viewer_id: str) -> ViewerActivity:
    """The viewer's own activity; call only with RECOMMENDATIONS consent."""
    key = f"viewer:{viewer_id}|recommend-activity"
    cached = await services.cache.get(key)
    if isinstance(cached, ViewerActivity):
        return cached
    settings = services.settings
    async with services.db.reading() as session:
        shown: list[tuple[str, str]] = []
        if settings.recommend_shown_limit:
            since = services.clock() - timedelta(days=settings.recommend_shown_days)
            engaged = [kind for kind, weight in settings.recommend_weights.items() if weight > 0]
            shown = await shown_and_engaged(session, viewer_id, since, engaged, SHOWN_LIMIT)
        activity = ViewerActivity(
            history=tuple(await recent_interactions(session, viewer_id, HISTORY_LIMIT)),
            bought=frozenset(await purchased_entries(session, viewer_id, PURCHASE_LIMIT)),
            passed_over=passed_over(shown, settings.recommend_shown_limit),
        )
    await services.cache.set(key, activity, services.settings.viewer_cache_ttl)
    return activity
