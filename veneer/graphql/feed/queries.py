"""The root `feed`: a mobile app's ranked, personalized, cursor-paginated list of entries."""

from __future__ import annotations

import strawberry

from veneer.graphql.context import Info
from veneer.graphql.entries.types import EntryConnection
from veneer.graphql.feed import serving


@strawberry.type
class FeedQueries:
    @strawberry.field(
        description="The viewer's feed: their recommendations over the whole catalogue (up "
        "to VENEER_FEED_LENGTH entries), with the entries editors pinned (a `feedPin` field) "
        "at their positions, each in the variant chosen for the viewer and with "
        "`personalization.reason` and `strategy` saying why it is there. The first page ranks "
        "the feed once; the pages after it (`after: endCursor`) follow that ranking, so no "
        "entry repeats or goes missing while events change what the viewer would be "
        "recommended. A feed is kept VENEER_FEED_SNAPSHOT_TTL seconds from its first page; "
        "after that, `after` fails with `extensions.code` FEED_EXPIRED: start again without it."
    )
    async def feed(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        content_types: list[str] | None = None,
    ) -> EntryConnection:
        return await serving.feed(info, first, after, content_types)
