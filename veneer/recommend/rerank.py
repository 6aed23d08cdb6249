"""From the strategies' candidates to the list a viewer sees: filtered, diverse, full.

- Filtered: never the entry being viewed, never what the viewer bought, nothing the client
  asked to leave out, only the content types asked for, and only entries the CMS serves now
  (a popularity table or a trained model may remember entries since unpublished).
- Diverse: within each strategy's best candidates, maximal marginal relevance (MMR) picks
  the next entry by ``lambda * relevance - (1 - lambda) * similarity to those already
  picked``, so five near-identical tents do not crowd out the stove that goes with them.
  ``lambda`` = 1 ranks by relevance alone.
- Full: when a strategy runs short, the next one fills the rest; an entry is listed once,
  under the first strategy that proposed it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

from veneer.recommend.candidates import Candidate
from veneer.recommend.content_index import Indexed

POOL_FACTOR = 3  # candidates weighed per slot left: room for MMR to choose among
Pairwise = Callable[[Sequence[str]], np.ndarray[Any, np.dtype[np.float64]]]


@dataclass(frozen=True)
class Filters:
    """Which entries may be recommended at all."""

    live: Mapping[str, Indexed]  # what the CMS lists now, by id
    content_types: Collection[str] | None = None  # None: every type
    never: Collection[str] = frozenset()  # the entry being viewed, bought ones, `exclude`

    def allows(self, entry_id: str) -> bool:
        item = self.live.get(entry_id)
        if item is None or entry_id in self.never:
            return False
        return self.content_types is None or item.content_type in self.content_types


def _relevance(scores: list[float]) -> list[float]:
    """Scores on [0, 1], keeping the strategy's order: as shares of the best when none is
    negative (a similarity of 0.3 is half of 0.6), else spread from the lowest to the best,
    since a trained model may score everything below zero and the order is all it says."""
    top, low = max(scores), min(scores)
    if low >= 0:
        return [score / top if top > 0 else 1.0 for score in scores]
    return [(score - low) / (top - low) for score in scores]


def _mmr(
    pool: list[Candidate],
    chosen: list[Candidate],
    slots: int,
    pairwise: Pairwise,
    diversity_lambda: float,
) -> list[Candidate]:
    """Up to ``slots`` of ``pool`` (best first), each picked by maximal marginal relevance."""
    relevance = _relevance([c.score for c in pool])
    ids = [c.entry_id for c in pool] + [c.entry_id for c in chosen]
    similarity = pairwise(ids)
    # For each pool entry, its greatest similarity to anything picked so far.
    nearest = similarity[: len(pool), len(pool) :].max(axis=1, initial=0.0)
    left = list(range(len(pool)))
    picked: list[Candidate] = []
    while left and len(picked) < slots:
        best = max(
            left,
            key=lambda i: (
                diversity_lambda * relevance[i] - (1 - diversity_lambda) * nearest[i],
                -i,  # ties go to the strategy's own order
            ),
        )
        left.remove(best)
        picked.append(pool[best])
        nearest = np.maximum(nearest, similarity[: len(pool), best])
    return picked


def rerank(
    proposals: Iterable[Iterable[Candidate]],
    filters: Filters,
    first: int,
    pairwise: Pairwise,
    diversity_lambda: float = 0.7,
) -> list[Candidate]:
    """The first ``first`` recommendations, from each strategy's proposals in turn.

    ``proposals`` may be lazy (a generator over the strategies), so strategies after the
    one that fills the list never run.
    """
    chosen: list[Candidate] = []
    listed: set[str] = set()
    if first <= 0:
        return chosen
    for proposed in proposals:
        slots = first - len(chosen)
        fresh = (c for c in proposed if c.entry_id not in listed and filters.allows(c.entry_id))
        pool = list(islice(_unique(fresh), slots * POOL_FACTOR))
        if not pool:
            continue
        for candidate in _mmr(pool, chosen, slots, pairwise, diversity_lambda):
            chosen.append(candidate)
            listed.add(candidate.entry_id)
        if len(chosen) >= first:
            break
    return chosen


def _unique(candidates: Iterable[Candidate]) -> Iterable[Candidate]:
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.entry_id not in seen:
            seen.add(candidate.entry_id)
            yield candidate
