"""A feed's order: the viewer's recommendations over the whole catalogue, pins in between.

Recommendations come from the same strategies, filters and reasons as `recommendations`
(`veneer.recommend.strategies.plan`), asked for a long list instead of a short one. Their
chain ends with what is popular and what is new, which between them propose every entry
the CMS lists, so a feed runs through the whole catalogue (up to its length limit) less
what the viewer bought or passed over many times.

Diversity (maximal marginal relevance) re-ranks the top `DIVERSE` positions only, the part
of a feed people look at most: it compares each pick with every candidate, which over
hundreds of positions would cost a request far more than the rest of the answer. Below
them, entries follow each strategy's own order. The diversity floor holds over that top as
it does over a list of recommendations (`veneer.recommend.diversity`); exploration's share
holds over the whole feed (`veneer.recommend.exploration`): at 0.1, every tenth entry is
one from outside the viewer's profile, moved up from further down or from past the end.

Pins are placed afterwards: each at its position, the recommendations flowing around them;
two pins asking for one position take it and the next in the order `read_pins` gives; pins
past the end of a short feed come last.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import tee

from veneer.feeds.pins import Pin
from veneer.recommend.answer import seen_by
from veneer.recommend.candidates import Candidate, Situation, Strategy
from veneer.recommend.content_index import ContentIndex
from veneer.recommend.diversity import diversify
from veneer.recommend.exploration import explore, reason
from veneer.recommend.popularity import Popularity
from veneer.recommend.rerank import Filters, rerank
from veneer.recommend.strategies import plan

DIVERSE = 50  # top positions re-ranked for diversity


def recommended(
    situation: Situation,
    index: ContentIndex,
    popularity: Popularity,
    *,
    count: int,
    content_types: Collection[str] | None = None,
    bought: Collection[str] = (),
    passed_over: Collection[str] = (),
    diversity_lambda: float = 0.7,
    trained: Sequence[Strategy] = (),
    diverse: int = DIVERSE,
    diversity_floor: float = 0.0,
    exploration: float = 0.0,
    seed: str = "",
    pinned: Collection[str] = (),
) -> list[Candidate]:
    """Up to ``count`` entries for the viewer, each once, best first.

    Each strategy is asked once: its proposals feed the diverse top and, replayed, the rest.
    ``diversity_floor``, ``exploration`` and ``seed`` are as for `answer.recommend`;
    exploration leaves ``pinned`` entries alone, since `mix` puts them in their own places.
    """
    filters = Filters(index.items, content_types, frozenset({*bought, *passed_over}))
    chain = plan(situation, index, popularity, trained)
    replays = [tee(strategy.candidates(situation)) for strategy in chain]
    top = rerank(
        (head for head, _ in replays),
        filters,
        min(count, diverse),
        index.pairwise,
        diversity_lambda,
    )
    listed = {candidate.entry_id for candidate in top}
    rest: list[Candidate] = []
    for candidate in _chained(tail for _, tail in replays):
        if len(top) + len(rest) >= count:
            break
        if candidate.entry_id not in listed and filters.allows(candidate.entry_id):
            listed.add(candidate.entry_id)
            rest.append(candidate)
    varied = diversify(top, rest, index.topics, diversity_floor)
    kept = {candidate.entry_id for candidate in varied}
    ranking = varied + [c for c in (*top, *rest) if c.entry_id not in kept]
    return explore(
        ranking,
        index.items,
        length=count,
        share=exploration,
        seed=seed,
        allows=lambda entry_id: filters.allows(entry_id) and entry_id not in pinned,
        topics=index.topics,
        seen=seen_by(situation),
        why=reason(situation.personal),
    )


def _chained(proposals: Iterable[Iterable[Candidate]]) -> Iterator[Candidate]:
    for proposed in proposals:
        yield from proposed


def mix(
    recommendations: Sequence[Candidate],
    pins: Sequence[Pin],
    content_types: Collection[str] | None,
    length: int,
) -> list[Candidate]:
    """At most ``length`` entries: ``pins`` (in `read_pins` order) of the content types asked
    for at their positions, ``recommendations`` in the other slots, each entry once."""
    placed = [pin for pin in pins if content_types is None or pin.content_type in content_types]
    pinned = {pin.entry_id for pin in placed}
    waiting = iter(c for c in recommendations if c.entry_id not in pinned)
    feed: list[Candidate] = []
    next_pin = 0
    while len(feed) < length:
        if next_pin < len(placed) and placed[next_pin].position <= len(feed) + 1:
            feed.append(placed[next_pin].candidate())
            next_pin += 1
            continue
        candidate = next(waiting, None)
        if candidate is not None:
            feed.append(candidate)
        elif next_pin < len(placed):  # out of recommendations: the remaining pins come last
            feed.append(placed[next_pin].candidate())
            next_pin += 1
        else:
            break
    return feed
