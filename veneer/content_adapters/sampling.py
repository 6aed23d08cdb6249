"""A sample of each content type's entries, for inferring the content model."""

from __future__ import annotations

from veneer.content_adapters.base import ContentAdapter, ContentError, ContentUnavailable
from veneer.entries import Entry

PER_TYPE = 50
OVERALL = 500


async def sample_entries(adapter: ContentAdapter, per_type: int = PER_TYPE) -> list[Entry]:
    """Up to ``per_type`` entries of each type (in the default locale).

    Adapters that cannot filter by type without more configuration (Wagtail without
    ``types=``) are walked instead, up to a bound, so the sample stays cheap.
    """
    entries: list[Entry] = []
    try:
        for content_type in await adapter.content_types():
            page = await adapter.list_entries(content_type, per_type, None, None)
            entries += page.entries
        return entries
    except ContentUnavailable:
        raise
    except ContentError:
        entries = []
    after = None
    while len(entries) < OVERALL:
        page = await adapter.list_entries(None, per_type, after, None)
        entries += page.entries
        if not page.has_next_page or not page.cursors:
            break
        after = page.cursors[-1]
    return entries
