"""The `ContentAdapter` protocol every CMS adapter implements.

Pagination is by opaque adapter cursor: each CMS pages its own way (offsets, page numbers,
sys ids), and Veneer's Relay cursors wrap whatever the adapter hands back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from veneer.entries import Entry


def aware_datetime(text: object) -> datetime | None:
    """A CMS timestamp as an aware datetime; one written without a zone is UTC."""
    if not isinstance(text, str) or not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class ContentError(Exception):
    """A content request that cannot be answered; the message is safe to show a client."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ContentUnavailable(ContentError):
    """The CMS could not answer (down, timing out, refusing); not the client's fault."""


class UnknownContentType(ContentError):
    def __init__(self, content_type: str, known: list[str]):
        super().__init__(
            f"unknown content type {content_type!r}; known: {', '.join(known) or 'none'}",
            field="contentType",
        )


class InvalidCursor(ContentError):
    def __init__(self) -> None:
        super().__init__("not a cursor this server issued", field="after")


@dataclass(frozen=True)
class EntryPage:
    """One page of entries plus the cursor to continue after its last entry."""

    entries: tuple[Entry, ...]
    cursors: tuple[str, ...]
    has_next_page: bool


class ContentAdapter(Protocol):
    """Read-only access to a CMS's published entries."""

    name: str

    async def content_types(self) -> list[str]: ...

    async def list_entries(
        self,
        content_type: str | None,
        first: int,
        after: str | None,
        locale: str | None,
    ) -> EntryPage: ...

    async def get_entry(self, entry_id: str) -> Entry | None: ...

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None: ...

    async def aclose(self) -> None: ...
