"""A feed's ranking as it was when the first page was served, and the pages cut from it.

Events arrive while someone scrolls: a purchase moves what is popular, a view moves what is
similar to their history. Ranking again for page 2 would repeat entries page 1 showed and
skip others, so the first page's whole ranking is kept (ids and reasons; the entries
themselves are read from the catalogue when each page is served, so they stay current) and
every later page is a slice of it. An entry the CMS stopped serving in between is skipped.

A snapshot is bound to the viewer it was ranked for and to the content types asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from veneer.recommend.candidates import Candidate


@dataclass(frozen=True)
class Snapshot:
    """Ranked entry ids, each with an index into ``reasons`` (few, and shared by many)."""

    content_types: tuple[str, ...] | None  # sorted; None: every type
    personal: bool  # ranked with the viewer's RECOMMENDATIONS consent
    entry_ids: tuple[str, ...]
    whys: tuple[int, ...]
    reasons: tuple[tuple[str, str], ...]  # (strategy, reason)

    @classmethod
    def of(
        cls, feed: Sequence[Candidate], content_types: Collection[str] | None, personal: bool
    ) -> Snapshot:
        reasons: dict[tuple[str, str], int] = {}
        whys = [reasons.setdefault((c.strategy, c.reason), len(reasons)) for c in feed]
        return cls(
            content_types=bound_types(content_types),
            personal=personal,
            entry_ids=tuple(c.entry_id for c in feed),
            whys=tuple(whys),
            reasons=tuple(reasons),
        )

    def __len__(self) -> int:
        return len(self.entry_ids)

    def candidate(self, position: int) -> Candidate:
        strategy, reason = self.reasons[self.whys[position]]
        return Candidate(self.entry_ids[position], 0.0, reason, strategy)


def bound_types(content_types: Collection[str] | None) -> tuple[str, ...] | None:
    """The content types a feed is bound to: order and repeats do not change a feed."""
    return None if content_types is None else tuple(sorted(set(content_types)))


@dataclass(frozen=True)
class Page:
    items: list[tuple[int, Candidate]]  # (position after the item, why it is there)
    has_next_page: bool


def page(snapshot: Snapshot, offset: int, first: int, live: Collection[str]) -> Page:
    """Up to ``first`` entries from ``offset`` on, skipping those not ``live`` any more."""
    items: list[tuple[int, Candidate]] = []
    position = offset
    while position < len(snapshot) and len(items) < first:
        if snapshot.entry_ids[position] in live:
            items.append((position + 1, snapshot.candidate(position)))
        position += 1
    more = any(entry_id in live for entry_id in snapshot.entry_ids[position:])
    return Page(items, more)
