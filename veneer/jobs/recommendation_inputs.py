"""What a request for recommendations reads besides the catalogue, each cached briefly.

- Popularity: the table the popularity job wrote, the same for every viewer, so one cached
  copy serves them all (and the job drops it when it writes a new one).
- The viewer's own activity: their latest views and cart adds, and what they bought. Read
  only for a viewer who granted RECOMMENDATIONS, and cached under the viewer's prefix, so
  a consent change, new events or erasure drop it with the rest of their cached state.
"""

from __future__ import annotations

from dataclasses import dataclass

from veneer.recommend.candidates import Interaction
from veneer.recommend.popularity import Popularity
from veneer.services import Services
from veneer.store.popularity import read_popularity
from veneer.store.viewer_history import purchased_entries, recent_interactions

POPULARITY_KEY = "recommend:popularity"
POPULARITY_TTL = 60.0  # other processes' new tables show up within this
HISTORY_LIMIT = 50  # views and cart adds: the newest distinct entries among them are compared
PURCHASE_LIMIT = 500


@dataclass(frozen=True)
class ViewerActivity:
    history: tuple[Interaction, ...] = ()  # newest first
    bought: frozenset[str] = frozenset()


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
    async with services.db.reading() as session:
        activity = ViewerActivity(
            history=tuple(await recent_interactions(session, viewer_id, HISTORY_LIMIT)),
            bought=frozenset(await purchased_entries(session, viewer_id, PURCHASE_LIMIT)),
        )
    await services.cache.set(key, activity, services.settings.viewer_cache_ttl)
    return activity
