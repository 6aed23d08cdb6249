"""The demo: its segments (matching the shipped sample content) and its preview table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from veneer.consent import Purpose
from veneer.entries import Entry
from veneer.variants import choose_variant
from veneer.variants.choice import merged_fields

DEMO_SEGMENTS: list[dict[str, Any]] = [
    {
        "key": "trail-runners",
        "name": "Trail runners",
        "rule": {"trait": "interests", "op": "contains", "value": "trail-running"},
    },
    {
        "key": "campers",
        "name": "Campers",
        "rule": {"trait": "interests", "op": "contains", "value": "camping"},
    },
    {
        "key": "climbers",
        "name": "Climbers",
        "rule": {"trait": "interests", "op": "contains", "value": "climbing"},
    },
    {
        "key": "beginners",
        "name": "Beginners",
        "rule": {"trait": "experience", "op": "eq", "value": "beginner"},
    },
    {
        "key": "premium",
        "name": "Premium customers",
        "rule": {"trait": "lifetimeValue", "op": "gte", "value": 500},
    },
    {
        "key": "cold-climate",
        "name": "Cold-climate shoppers",
        "rule": {"trait": "region", "op": "in", "value": ["nordics", "alps", "canada"]},
    },
]


@dataclass(frozen=True)
class PreviewCell:
    title: str
    variant_id: str | None
    reason: str


@dataclass(frozen=True)
class PreviewRow:
    entry: Entry
    baseline_title: str
    cells: list[PreviewCell]


def preview(entries: list[Entry], segment_keys: list[str], now: datetime) -> list[PreviewRow]:
    """What a consenting viewer in each single segment sees, for entries that have variants."""
    granted = {Purpose.NECESSARY, Purpose.PERSONALIZATION}
    rows = []
    for entry in entries:
        if not entry.variants:
            continue
        cells = []
        for key in segment_keys:
            choice = choose_variant(entry, {key}, granted, now)
            title = str(merged_fields(entry, choice).get("title", entry.id))
            cells.append(
                PreviewCell(title, choice.variant.id if choice.variant else None, choice.reason)
            )
        rows.append(PreviewRow(entry, str(entry.fields.get("title", entry.id)), cells))
    return rows
