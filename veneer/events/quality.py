"""Data quality of incoming events: what was accepted, refused and why, per source and type.

Pure: `tally` turns one batch's outcome into counters, `build_report` turns stored counters
into the report `veneer quality` and `eventQuality` show. Counters are additive, so batches,
processes and days sum without coordination.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from veneer.events.model import Event
from veneer.events.validation import EventError

KEY_FIELDS = ("timestamp", "anonymousId", "userId", "entryId", "context.url")
TallyKey = tuple[str, str]  # (event type, metric)


def _missing(raw: Mapping[str, object], name: str) -> bool:
    if name == "context.url":
        context = raw.get("context")
        return not isinstance(context, Mapping) or context.get("url") in (None, "")
    return raw.get(name) in (None, "")


def raw_type(raw: object) -> str:
    kind = raw.get("type") if isinstance(raw, Mapping) else None
    if isinstance(kind, str) and 0 < len(kind) <= 64 and kind.replace("_", "").isalnum():
        return kind
    return "invalid"


def tally(
    raw: Sequence[object],
    rejected: Iterable[EventError],
    stored: Iterable[Event],
    duplicates: Iterable[Event],
    no_consent: Iterable[Event],
) -> Counter[TallyKey]:
    """Counters for one batch; null rates are measured on what the client sent."""
    counts: Counter[TallyKey] = Counter()
    refused = set()
    for error in rejected:
        refused.add(error.index)
        counts[(raw_type(raw[error.index]), f"rejected:{error.reason}")] += 1
    for index, item in enumerate(raw):
        if index in refused or not isinstance(item, Mapping):
            continue
        kind = raw_type(item)
        counts[(kind, "received")] += 1
        for name in KEY_FIELDS:
            if _missing(item, name):
                counts[(kind, f"null:{name}")] += 1
    for event in stored:
        counts[(event.type, "accepted")] += 1
        if event.late:
            counts[(event.type, "late")] += 1
    for event in duplicates:
        counts[(event.type, "duplicate")] += 1
    for event in no_consent:
        counts[(event.type, "no_consent")] += 1
    return counts


@dataclass(frozen=True)
class QualityRow:
    source: str
    event_type: str
    accepted: int
    duplicates: int
    late: int
    no_consent: int
    rejected: dict[str, int]
    null_rates: dict[str, float]
    rejection_rate: float
    alert: bool = field(default=False)


def build_report(
    counters: Iterable[tuple[str, str, str, int]], alert_threshold: float, min_events: int = 20
) -> list[QualityRow]:
    """Rows per (source, type) from ``(source, type, metric, count)`` counters.

    The alert flag needs both a rejection rate above the threshold and enough events for the
    rate to mean something.
    """
    grouped: dict[tuple[str, str], Counter[str]] = {}
    for source, event_type, metric, count in counters:
        grouped.setdefault((source, event_type), Counter())[metric] += count
    rows = []
    for (source, event_type), metrics in sorted(grouped.items()):
        rejected = {
            m.removeprefix("rejected:"): n for m, n in metrics.items() if m.startswith("rejected:")
        }
        received = metrics["received"]
        total = received + sum(rejected.values())
        rate = sum(rejected.values()) / total if total else 0.0
        rows.append(
            QualityRow(
                source=source,
                event_type=event_type,
                accepted=metrics["accepted"],
                duplicates=metrics["duplicate"],
                late=metrics["late"],
                no_consent=metrics["no_consent"],
                rejected=dict(sorted(rejected.items())),
                null_rates={
                    name: round(metrics[f"null:{name}"] / received, 4) if received else 0.0
                    for name in KEY_FIELDS
                },
                rejection_rate=round(rate, 4),
                alert=total >= min_events and rate > alert_threshold,
            )
        )
    return rows
