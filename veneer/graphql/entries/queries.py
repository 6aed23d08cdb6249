"""`entries` and `entry`."""

from __future__ import annotations

import strawberry

from veneer.content_adapters import ContentError
from veneer.graphql.context import Info
from veneer.graphql.entries.types import Entry, EntryConnection, EntryEdge
from veneer.graphql.errors import UserInputError, content_error
from veneer.graphql.pagination import PageInfo, decode_cursor, encode_cursor


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
        services = info.context.services
        limit = services.settings.max_page_size
        if not 1 <= first <= limit:
            raise UserInputError("first", f"must be between 1 and {limit}, got {first}")
        try:
            adapter_after = decode_cursor(after) if after is not None else None
            page = await services.content.list_entries(content_type, first, adapter_after, locale)
        except ContentError as exc:
            raise content_error(exc) from exc
        await info.context.viewer_state()
        edges = [
            EntryEdge(cursor=encode_cursor(cursor), node=Entry.from_domain(entry))
            for entry, cursor in zip(page.entries, page.cursors, strict=True)
        ]
        return EntryConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    @strawberry.field(description="One entry by id, or by slug (optionally within a type).")
    async def entry(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        content_type: str | None = None,
        slug: str | None = None,
    ) -> Entry | None:
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
                found = await content.get_by_slug(content_type, slug, None)
        except ContentError as exc:
            raise content_error(exc) from exc
        if found is None:
            return None
        await info.context.viewer_state()
        return Entry.from_domain(found)
