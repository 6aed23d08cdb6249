"""How widely recommendations spread over the catalogue: coverage and concentration.

A recommender can be accurate and still show most viewers the same handful of entries, so
the rest of the catalogue is never seen and never gets the interactions that would make it
recommendable. Two figures tell the people who run Veneer whether that is happening:

- coverage: the share of the catalogue's entries shown at least once in a period;
- the Gini coefficient of how often each entry was shown, entries never shown included:
  0 when every entry was shown equally often, towards 1 when a few took nearly all views.

Only entries the CMS serves now count: an entry since unpublished can no longer be
recommended, so its exposures say nothing about the catalogue as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Exposed:
    """One entry and how often it was shown in the period."""

    entry_id: str
    title: str
    count: int


@dataclass(frozen=True)
class ExposureSummary:
    """What a page about catalogue coverage shows, for one period."""

    days: int  # the period: this many days up to now
    counted: str  # the event type counted as an exposure (`impression`, else `entry_view`)
    catalogue_size: int  # entries the CMS serves now
    exposed: int  # of them, shown at least once
    exposures: int  # times any of them was shown
    coverage: float  # exposed / catalogue_size (0 for an empty catalogue)
    gini: float  # concentration of exposures over the catalogue: 0 even, towards 1 few
    top: tuple[Exposed, ...]  # the most shown entries, most first


def coverage(exposures: Mapping[str, int], catalogue_ids: Collection[str]) -> float:
    """The share of ``catalogue_ids`` with at least one exposure (0 for an empty catalogue)."""
    if not catalogue_ids:
        return 0.0
    shown = sum(1 for entry_id in catalogue_ids if exposures.get(entry_id, 0) > 0)
    return shown / len(catalogue_ids)


def gini(counts: Iterable[int]) -> float:
    """The Gini coefficient of ``counts``: 0 when all are equal (or all 0), up to
    ``(n - 1) / n`` when one holds everything.

    Pass a count for every catalogue entry, zeros included: leaving out the entries nobody
    was shown would make a catalogue half of which is never seen look evenly exposed.
    """
    ordered = sorted(counts)
    if ordered and ordered[0] < 0:
        raise ValueError(f"exposure counts cannot be negative, got {ordered[0]}")
    total = sum(ordered)
    if total == 0:
        return 0.0
    size = len(ordered)
    weighted = sum(rank * count for rank, count in enumerate(ordered, start=1))
    return 2 * weighted / (size * total) - (size + 1) / size


def summarize(
    exposures: Mapping[str, int],
    catalogue: Mapping[str, str],
    *,
    days: int,
    counted: str,
    top: int = 10,
) -> ExposureSummary:
    """The summary of ``exposures`` (entry id -> times shown) over ``catalogue`` (entry id
    -> title); exposures of entries not in it are left out."""
    counts = {entry_id: exposures.get(entry_id, 0) for entry_id in catalogue}
    most = sorted((item for item in counts.items() if item[1] > 0), key=lambda i: (-i[1], i[0]))
    return ExposureSummary(
        days=days,
        counted=counted,
        catalogue_size=len(catalogue),
        exposed=sum(1 for count in counts.values() if count > 0),
        exposures=sum(counts.values()),
        coverage=coverage(counts, catalogue),
        gini=gini(counts.values()),
        top=tuple(Exposed(entry_id, catalogue[entry_id], count) for entry_id, count in most[:top]),
    )
