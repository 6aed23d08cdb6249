"""The file adapter: a folder of ``<contentType>/<slug>.md`` (YAML front matter) or ``.json``.

This is the format Git-based CMSs such as Decap write, and the embedded default: the shipped
sample content is such a folder. A malformed file is logged with its path and skipped, so one
bad edit never takes the rest of the site down. Every request reads the folder again, so each
problem is logged once per change of the file, not once per read.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
import yaml

from veneer.content_adapters.base import EntryPage, InvalidCursor, UnknownContentType
from veneer.entries import Entry, VariantsError, parse_variants

logger = logging.getLogger(__name__)

SAMPLE_CONTENT = Path(__file__).resolve().parent.parent / "sample_content"
RESERVED = {"id", "slug", "locale", "variants", "updatedAt"}


class MalformedEntry(ValueError):
    """A content file Veneer cannot read; the message says why."""


def _json_safe(value: Any) -> Any:
    """YAML turns timestamps into datetimes; entry fields must stay JSON values."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _timestamp(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise MalformedEntry(f"updatedAt: not an RFC 3339 timestamp: {value!r}") from exc
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):  # a bare YAML date: midnight UTC
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise MalformedEntry(f"updatedAt: not a timestamp: {value!r}")


def _read_document(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MalformedEntry(f"invalid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise MalformedEntry("a JSON entry must be an object")
        return data
    if not text.startswith("---"):
        return {"body": text}
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise MalformedEntry("front matter is opened with --- but never closed")
    try:
        front = yaml.load(parts[0][3:], Loader=yaml.CSafeLoader) or {}
    except yaml.YAMLError as exc:
        raise MalformedEntry(f"invalid YAML front matter: {exc}") from exc
    if not isinstance(front, dict):
        raise MalformedEntry("front matter must be a mapping of field names to values")
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return {**front, "body": body.strip("\n")}


def parse_entry(path: Path, content_type: str, default_locale: str) -> Entry:
    """Turn one file into an `Entry`, or raise `MalformedEntry` saying what is wrong."""
    data = _read_document(path)
    slug = str(data.get("slug") or path.stem)
    try:
        variants = parse_variants(data.get("variants"))
    except VariantsError as exc:
        raise MalformedEntry(str(exc)) from exc
    updated = _timestamp(data.get("updatedAt"))
    if updated is None:
        updated = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    fields = {k: _json_safe(v) for k, v in data.items() if k not in RESERVED}
    return Entry(
        id=str(data.get("id") or slug),
        content_type=content_type,
        slug=slug,
        fields=fields,
        variants=variants,
        locale=str(data.get("locale") or default_locale),
        updated_at=updated,
        source=str(path),
    )


def _version(path: Path) -> tuple[int, int] | None:
    """What changes when the file is edited: its modification time and size."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class FileAdapter:
    """Serves a content folder. Every call reads the folder; `CachedAdapter` keeps it cheap."""

    name = "file"

    def __init__(self, root: Path, default_locale: str = "en"):
        if not root.is_dir():
            raise FileNotFoundError(f"content folder not found: {root}")
        self.root = root
        self.default_locale = default_locale
        # path -> (file version, message) last logged; reads run in worker threads
        self._reported: dict[Path, tuple[tuple[int, int] | None, str]] = {}
        self._reported_lock = threading.Lock()

    def _skip(self, path: Path, message: str) -> None:
        """Log why a file is skipped, unless that was said already about this version of it."""
        seen = (_version(path), message)
        with self._reported_lock:
            if self._reported.get(path) == seen:
                return
            self._reported[path] = seen
        logger.warning("%s", message)

    def _served(self, path: Path) -> None:
        """The file reads fine now: should it break again, that is news worth logging."""
        with self._reported_lock:
            self._reported.pop(path, None)

    def _content_types(self) -> list[str]:
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")
        )

    def _load(self, content_type: str | None) -> list[Entry]:
        types = self._content_types()
        if content_type is not None:
            if content_type not in types:
                raise UnknownContentType(content_type, types)
            types = [content_type]
        entries: list[Entry] = []
        seen: dict[tuple[str, str | None], Path] = {}  # translations share an id
        for type_name in types:
            files = sorted((self.root / type_name).glob("*.md")) + sorted(
                (self.root / type_name).glob("*.json")
            )
            for path in files:
                try:
                    entry = parse_entry(path, type_name, self.default_locale)
                except (MalformedEntry, OSError, UnicodeDecodeError) as exc:
                    self._skip(path, f"skipping malformed content file {path}: {exc}")
                    continue
                key = (entry.id, entry.locale)
                if key in seen:
                    self._skip(
                        path,
                        f"skipping content file {path}: id {entry.id!r} in locale "
                        f"{entry.locale} is already used by {seen[key]}",
                    )
                    continue
                self._served(path)
                seen[key] = path
                entries.append(entry)
        entries.sort(key=lambda e: (e.content_type, e.slug or e.id, e.locale or ""))
        return entries

    async def content_types(self) -> list[str]:
        return await anyio.to_thread.run_sync(self._content_types)

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        start = 0
        if after is not None:
            if not (after.isascii() and after.isdigit()):
                raise InvalidCursor()
            start = int(after)
        entries = await anyio.to_thread.run_sync(self._load, content_type)
        if locale is not None:
            entries = [e for e in entries if e.locale == locale]
        page = entries[start : start + first]
        return EntryPage(
            entries=tuple(page),
            cursors=tuple(str(start + i + 1) for i in range(len(page))),
            has_next_page=start + first < len(entries),
        )

    async def get_entry(self, entry_id: str) -> Entry | None:
        """By id; of several translations, the default locale's."""
        entries = await anyio.to_thread.run_sync(self._load, None)
        matches = [e for e in entries if e.id == entry_id]
        preferred = [e for e in matches if e.locale == self.default_locale]
        candidates = preferred or matches
        return candidates[0] if candidates else None

    async def get_by_slug(
        self, content_type: str | None, slug: str, locale: str | None
    ) -> Entry | None:
        entries = await anyio.to_thread.run_sync(self._load, content_type)
        for entry in entries:
            if entry.slug == slug and (locale is None or entry.locale == locale):
                return entry
        return None

    async def aclose(self) -> None:
        return None
