"""One list of recommendations: the strategies in order, re-ranked under the client's rules.

What the GraphQL fields (and any other channel) call once they have read the inputs: the
catalogue's index, the stored popularity and, with consent, the viewer's own activity.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from veneer.entries import Entry
from veneer.recommend.candidates import Candidate, Situation, Strategy
from veneer.recommend.content_index import ContentIndex
from veneer.recommend.popularity import Popularity
from veneer.recommend.rerank import Filters, rerank
from veneer.recommend.strategies import SimilarToEntry, plan


def recommend(
    situation: Situation,
    index: ContentIndex,
    popularity: Popularity,
    *,
    first: int,
    content_types: Collection[str] | None = None,
    exclude: Collection[str] = (),
    bought: Collection[str] = (),
    passed_over: Collection[str] = (),
    diversity_lambda: float = 0.7,
    trained: Sequence[Strategy] = (),
) -> list[Candidate]:
    """Up to ``first`` entries for the viewer in ``situation``.

    ``bought`` never comes back, nor does what the viewer was shown over and over without
    taking it up (``passed_over``); the entry they are on is not recommended beside itself.
    """
    never = {*exclude, *bought, *passed_over}
    if situation.anchor is not None:
        never.add(situation.anchor.id)
    filters = Filters(index.items, content_types, frozenset(never))
    chain = plan(situation, index, popularity, trained)
    proposals = (strategy.candidates(situation) for strategy in chain)
    return rerank(proposals, filters, first, index.pairwise, diversity_lambda)


def similar(
    entry: Entry,
    index: ContentIndex,
    now: datetime,
    *,
    first: int,
    diversity_lambda: float = 0.7,
) -> list[Candidate]:
    """Entries whose words and tags are closest to ``entry``'s; no viewer data at all.

    Any shared word counts here (no floor), so a list comes back short only when the
    catalogue has nothing in common with the entry.
    """
    situation = Situation(now, anchor=entry)
    filters = Filters(index.items, never=frozenset({entry.id}))
    proposals = [SimilarToEntry(index, floor=0.0).candidates(situation)]
    return rerank(proposals, filters, first, index.pairwise, diversity_lambda)
