"""`feed`: the first page ranks and keeps a snapshot in the shared cache; later pages slice it.

The snapshot lives in `services.cache`, which is Redis when Veneer runs on several
processes, so any of them can serve the next page. One ranking per first page, however many
entries it shows: the viewer's inputs are read once (`serving.inputs`), pins once per
catalogue index, and each entry's variant is chosen without a query of its own.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from weakref import WeakKeyDictionary

from graphql import GraphQLError

from veneer.consent import Purpose
from veneer.content_adapters import ContentError
from veneer.feeds.cursors import BadCursor, FeedCursor, decode_cursor, encode_cursor, snapshot_key
from veneer.feeds.pins import Pins, read_pins
from veneer.feeds.ranking import mix, recommended
from veneer.feeds.snapshot import Page, Snapshot, bound_types, page
from veneer.graphql.context import Info
from veneer.graphql.entries.types import EntryConnection, EntryEdge, GenericEntry
from veneer.graphql.errors import UserInputError, content_error
from veneer.graphql.pagination import PageInfo
from veneer.graphql.recommendations import serving
from veneer.recommend.content_index import ContentIndex

logger = logging.getLogger(__name__)
_pins: WeakKeyDictionary[ContentIndex, Pins] = WeakKeyDictionary()  # read once per index


class FeedExpiredError(GraphQLError):
    """The snapshot behind ``after`` is gone: the app starts again from the first page."""

    def __init__(self, why: str):
        super().__init__(
            f"after: {why}; start again from the first page, without after",
            extensions={"code": "FEED_EXPIRED", "field": "after"},
        )


def _pins_of(index: ContentIndex) -> Pins:
    pins = _pins.get(index)
    if pins is None:
        pins = read_pins(index.entries.values())
        for problem in pins.problems:
            logger.warning("feed pin ignored: %s", problem)
        _pins[index] = pins
    return pins


async def _index(info: Info) -> ContentIndex:
    try:
        return await info.context.services.catalogue.index()
    except ContentError as exc:
        raise content_error(exc) from exc


def _decode(after: str) -> FeedCursor:
    try:
        return decode_cursor(after)
    except BadCursor:
        raise UserInputError(
            "after", "not a cursor of `feed`; pass an endCursor a feed page returned"
        ) from None


async def _first_page(info: Info, content_types: Sequence[str] | None) -> tuple[str, Snapshot]:
    """Rank the whole feed once, and keep it for the pages after this one."""
    services = info.context.services
    read = await serving.inputs(info.context, None)
    types = None if content_types is None else frozenset(content_types)
    length = services.settings.feed_length
    pins = _pins_of(read.index).pins
    ranking = recommended(
        read.situation,
        read.index,
        read.popularity,
        count=length,
        content_types=types,
        bought=read.activity.bought,
        passed_over=read.activity.passed_over,
        diversity_lambda=services.settings.recommend_mmr_lambda,
        trained=read.trained,
        diversity_floor=services.settings.recommend_diversity_floor,
        exploration=services.settings.recommend_exploration,
        seed=read.seed,
        pinned={pin.entry_id for pin in pins},
    )
    feed = mix(ranking, pins, types, length)
    snapshot = Snapshot.of(feed, content_types, read.situation.personal)
    snapshot_id = secrets.token_urlsafe(12)
    if feed:  # an empty feed hands out no cursor to come back with
        viewer = info.context.principal.viewer
        key = snapshot_key(None if viewer is None else viewer.id, snapshot_id)
        await services.cache.set(key, snapshot, services.settings.feed_snapshot_ttl)
    return snapshot_id, snapshot


async def _later_page(
    info: Info, cursor: FeedCursor, content_types: Sequence[str] | None
) -> Snapshot:
    """The snapshot ``cursor`` points into, if it is still there for this viewer."""
    context = info.context
    viewer = context.principal.viewer
    key = snapshot_key(None if viewer is None else viewer.id, cursor.snapshot_id)
    snapshot = await context.services.cache.get(key)
    if not isinstance(snapshot, Snapshot):
        minutes = context.services.settings.feed_snapshot_ttl / 60
        raise FeedExpiredError(
            f"this feed has expired (feeds are kept {minutes:g} minutes from their first "
            "page) or was not ranked for this viewer"
        )
    if snapshot.content_types != bound_types(content_types):
        raise UserInputError(
            "after",
            f"this cursor was issued for contentTypes {_said(snapshot.content_types)}, not "
            f"{_said(bound_types(content_types))}; page with the same arguments, or start "
            "again without after",
        )
    if cursor.offset > len(snapshot):
        raise UserInputError("after", "not a cursor of `feed`; pass an endCursor it returned")
    state = await context.viewer_state()
    if snapshot.personal and Purpose.RECOMMENDATIONS not in state.granted:
        raise FeedExpiredError(
            "this feed was ranked on the viewer's activity, and RECOMMENDATIONS consent has "
            "been withdrawn since"
        )
    return snapshot


def _said(types: tuple[str, ...] | None) -> str:
    return "none" if types is None else "[" + ", ".join(types) + "]"


async def feed(
    info: Info, first: int, after: str | None, content_types: Sequence[str] | None
) -> EntryConnection:
    serving.check_first(info.context, first)
    cursor = None if after is None else _decode(after)
    await serving.check_content_types(info.context, content_types)
    if cursor is None:
        snapshot_id, snapshot = await _first_page(info, content_types)
        offset = 0
    else:
        snapshot = await _later_page(info, cursor, content_types)
        snapshot_id, offset = cursor.snapshot_id, cursor.offset
    await info.context.viewer_state()  # entries resolve their variants from it
    index = await _index(info)
    cut: Page = page(snapshot, offset, first, index.entries)
    edges = [
        EntryEdge(
            cursor=encode_cursor(FeedCursor(snapshot_id, position)),
            node=GenericEntry.from_domain(index.entries[why.entry_id], why),
        )
        for position, why in cut.items
    ]
    return EntryConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=cut.has_next_page,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
