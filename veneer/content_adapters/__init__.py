"""Content adapters: one module per CMS, all behind the `ContentAdapter` protocol."""

from veneer.content_adapters.base import (
    ContentAdapter,
    ContentError,
    ContentUnavailable,
    EntryPage,
    InvalidCursor,
    UnknownContentType,
)

__all__ = [
    "ContentAdapter",
    "ContentError",
    "ContentUnavailable",
    "EntryPage",
    "InvalidCursor",
    "UnknownContentType",
]
