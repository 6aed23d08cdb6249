"""A block: what one placement shows one viewer, as plain data, before any template.

The edges pick the entries (variant choice, recommendations, offers); what is decided here
is how those picks become a block: which listed entry a `variant` placement shows, where each
item links to, and the sentence that says why the viewer sees it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from veneer.entries import Entry
from veneer.placements.definition import Placement
from veneer.recommend.candidates import Candidate


@dataclass(frozen=True)
class BlockItem:
    """One entry in a block: its fields with the viewer's variant merged in, and why."""

    entry: Entry
    fields: Mapping[str, Any]
    variant_id: str | None
    baseline: bool
    reason: str
    strategy: str | None = None  # what chose the entry, when Veneer chose it
    picked: Candidate | None = None  # the recommendation, for a `recommendations` placement
    inline: bool = False  # an offer's own content, not an entry of the CMS

    @property
    def path(self) -> str:
        """Where the item links to: the entry's own ``url`` field, else /type/slug."""
        url = self.fields.get("url")
        if isinstance(url, str) and url.strip():
            return url.strip()
        return f"/{self.entry.content_type}/{self.entry.slug or self.entry.id}"


@dataclass(frozen=True)
class Block:
    placement: Placement
    reason: str
    items: tuple[BlockItem, ...]
    params: Mapping[str, Any] = field(default_factory=dict)  # an offer's, such as a code
    offer: str | None = None  # the trigger whose offer fills it


def personalized_first(items: Sequence[BlockItem], first: int) -> list[BlockItem]:
    """For a `variant` placement: entries that have a variant for this viewer, then the
    rest, each group in the order the team listed them."""
    chosen = [item for item in items if not item.baseline]
    rest = [item for item in items if item.baseline]
    return (chosen + rest)[:first]


def block_reason(placement: Placement, items: Sequence[BlockItem], offer: str | None) -> str:
    """One sentence for the whole block; each item keeps its own reason too."""
    if offer is not None:
        return f"offer from trigger `{offer}`: {items[0].reason}" if items else offer
    if not items:
        return "nothing to show"
    if placement.strategy == "pinned":
        return "pinned by the editors"
    if placement.strategy == "recommendations":
        return items[0].reason
    return items[0].reason if len(items) == 1 else "; ".join(i.reason for i in items)
