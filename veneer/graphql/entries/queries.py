"""`entries` and `entry`, and the fetching every typed root field shares with them."""

from __future__ import annotations

import strawberry

from veneer.content_adapters import ContentError
from veneer.entries import Entry as DomainEntry
from veneer.graphql.context import Info
from veneer.graphql.entries.types import Entry, EntryConnection, EntryEdge, GenericEntry
from veneer.graphql.errors import UserInputError, content_error
from veneer.graphql.pagination import PageInfo, decode_cursor, encode_cursor


async def fetch_page(
    info: Info, content_type: str | None, first: int, after: str | None, locale: str | None
) -> tuple[list[tuple[str, DomainEntry]], PageInfo]:
    """One page as (Relay cursor, entry) pairs, with the viewer's state loaded once for all."""
    services = info.context.services
    limit = services.settings.max_page_size
    if not 1 <= first <= limit:
        raise UserInputError("first", f"must be between 1 and {limit}, got {first}")
    try:
        adapter_after = None if after is None else decode_cursor(after, content_type, locale)
        page = await services.content.list_entries(content_type, first, adapter_after, locale)
    except ContentError as exc:
        raise content_error(exc) from exc
    await info.context.viewer_state()
    pairs = [
        (encode_cursor(cursor, content_type, locale), entry)
        for entry, cursor in zip(page.entries, page.cursors, strict=True)
    ]
    page_info = PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=after is not None,
        start_cursor=pairs[0][0] if pairs else None,
        end_cursor=pairs[-1][0] if pairs else None,
    )
    return pairs, page_info


async def find_entry(
    info: Info,
    id: strawberry.ID | None,
    content_type: str | None,
    slug: str | None,
    locale: str | None = None,
) -> DomainEntry | None:
    content = info.context.services.content
    if (id is None) == (slug is None):
        raise UserInputError(None, "give exactly one of id or slug")
    try:
        if id is not None:
            found = await content.get_entry(str(id))
            if found is not None and content_type and found.content_type != content_type:
                found = None
        else:
            assert slug is not None
            if content_type is not None and content_type not in await content.content_types():
                raise UserInputError("contentType", f"unknown content type {content_type!r}")
            found = await content.get_by_slug(content_type, slug, locale)
    except ContentError as exc:
        raise content_error(exc) from exc
    if found is not None:
        await info.context.viewer_state()
    return found


@strawberry.type
class EntryQueries:
    @strawberry.field(
        description="Entries in a stable order (content type, then slug), as a Relay connection."
    )
    async def entries(
        self,
        info: Info,
        content_type: str | None = None,
        first: int = 20,
        after: str | None = None,
        locale: str | None = None,
    ) -> EntryConnection:
        pairs, page_info = await fetch_page(info, content_type, first, after, locale)
        edges = [EntryEdge(cursor=c, node=GenericEntry.from_domain(e)) for c, e in pairs]
        return EntryConnection(edges=edges, page_info=page_info)

    @strawberry.field(description="One entry by id, or by slug (optionally within a type).")
    async def entry(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        content_type: str | None = None,
        slug: str | None = None,
    ) -> Entry | None:
        found = await find_entry(info, id, content_type, slug)
        return None if found is None else GenericEntry.from_domain(found)
