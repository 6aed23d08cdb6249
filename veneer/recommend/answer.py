"""One list of recommendations: the strategies in order, re-ranked under the client's rules.

What the GraphQL fields (and any other channel) call once they have read the inputs: the
catalogue's index, the stored popularity and, with consent, the viewer's own activity.
The list is re-ranked for diversity (MMR), held to the diversity floor, and then gives
its exploration share to entries from outside the viewer's profile, in that order: the
floor varies what the strategies proposed, exploration adds what they did not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import tee

from veneer.entries import Entry
from veneer.recommend.candidates import Candidate, Situation, Strategy
from veneer.recommend.content_index import ContentIndex
from veneer.recommend.diversity import diversify
from veneer.recommend.exploration import explore, reason
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
    diversity_floor: float = 0.0,
    exploration: float = 0.0,
    seed: str = "",
) -> list[Candidate]:
    """Up to ``first`` entries for the viewer in ``situation``.

    ``bought`` never comes back, nor does what the viewer was shown over and over without
    taking it up (``passed_over``); the entry they are on is not recommended beside itself.
    ``diversity_floor`` and ``exploration`` are shares of the list (see
    `veneer.recommend.diversity` and `veneer.recommend.exploration`; 0 turns either off);
    ``seed`` makes exploration's draws (`exploration.seed_for`).
    """
    never = {*exclude, *bought, *passed_over}
    if situation.anchor is not None:
        never.add(situation.anchor.id)
    filters = Filters(index.items, content_types, frozenset(never))
    chain = plan(situation, index, popularity, trained)
    replays = [tee(_proposals(strategy, situation)) for strategy in chain]
    ranked = rerank((head for head, _ in replays), filters, first, index.pairwise, diversity_lambda)
    further = _allowed((tail for _, tail in replays), filters)
    ranked = diversify(ranked, further, index.topics, diversity_floor)
    return explore(
        ranked,
        index.items,
        length=first,
        share=exploration,
        seed=seed,
        allows=filters.allows,
        topics=index.topics,
        seen=seen_by(situation),
        why=reason(situation.personal),
    )


def seen_by(situation: Situation) -> frozenset[str]:
    """The entries the viewer viewed or carted, and the one on screen: their profile."""
    seen = {item.entry_id for item in situation.history}
    if situation.anchor is not None:
        seen.add(situation.anchor.id)
    return frozenset(seen)


def _proposals(strategy: Strategy, situation: Situation) -> Iterator[Candidate]:
    """A strategy's candidates, asked for only once something reads them."""
    yield from strategy.candidates(situation)


def _allowed(proposals: Iterable[Iterable[Candidate]], filters: Filters) -> Iterator[Candidate]:
    """What the strategies propose past the list, for the diversity floor to draw on."""
    for proposed in proposals:
        yield from (c for c in proposed if filters.allows(c.entry_id))


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
