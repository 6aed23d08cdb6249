"""A sample of each content type's entries, for inferring the content model."""

from __future__ import annotations

from veneer.content_adapters.base import ContentAdapter
from veneer.entries import Entry

PER_TYPE = 50


async def sample_entries(adapter: ContentAdapter, per_type: int = PER_TYPE) -> list[Entry]:
    """Up to ``per_type`` entries of each type (in the default locale)."""
    entries: list[Entry] = []
    for content_type in await adapter.content_types():
        page = await adapter.list_entries(content_type, per_type, None, None)
        entries += page.entries
    return entries
