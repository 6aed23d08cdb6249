"""The strategies Veneer recommends with before (and beside) trained models, and their order.

Each says why in words a viewer understands ("because you viewed *Trailhead X2 Tent*",
"popular with `trail-runners`"). Without RECOMMENDATIONS consent only strategies that use
nothing about the viewer run, and their reasons say so, because a viewer who declined should
be able to see that their answer was respected.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from veneer.entries import Entry
from veneer.recommend.candidates import CART, Candidate, Situation, Strategy
from veneer.recommend.content_index import ContentIndex, title_of
from veneer.recommend.popularity import OVERALL, Popularity

NO_CONSENT = " (no RECOMMENDATIONS consent: not based on your activity)"
MIN_SIMILARITY = 0.08  # below this, two entries share little more than common words
HISTORY_ANCHORS = 10  # distinct recent entries of the viewer's history compared
RECENCY_DECAY = 0.8  # each older entry of the history counts this much less
CART_BOOST = 1.5  # a cart add says more about a viewer's interest than a view
ON_SCREEN, VIEWED, CARTED = "on screen", "viewed", "carted"


def _ranked(scored: Iterable[Candidate]) -> list[Candidate]:
    return sorted(scored, key=lambda c: (-c.score, c.entry_id))


@dataclass(frozen=True)
class SimilarToEntry:
    """Entries like the one the viewer is on; content alone, so no consent is needed."""

    index: ContentIndex
    note: str = ""
    floor: float = MIN_SIMILARITY
    name: str = "similar"

    def candidates(self, situation: Situation) -> Iterable[Candidate]:
        anchor = situation.anchor
        if anchor is None:
            return []
        reason = f"similar to *{title_of(anchor)}*{self.note}"
        return _ranked(
            Candidate(entry_id, score, reason, self.name)
            for entry_id, score in self.index.scores(anchor).items()
            if score >= self.floor and entry_id != anchor.id
        )


@dataclass(frozen=True)
class SimilarToHistory:
    """Item-to-item from the viewer's own recent views and cart adds.

    Every candidate's score adds up its similarity to each recent entry (newer ones, and
    cart adds, weigh more); its reason names the entry that contributed most. Next to an
    entry, that entry counts as the newest of all, since it is what the viewer is looking
    at now: candidates it contributes most to are "similar to" it. Entries the viewer
    already looked at are left to other strategies: "because you viewed X" should not
    propose X.
    """

    index: ContentIndex
    name: str = "similar-to-history"

    def _anchors(self, situation: Situation) -> list[tuple[Entry, float, str]]:
        """(entry, weight, why) for the entry on screen and the newest distinct history."""
        weights: dict[str, tuple[Entry, float, str]] = {}
        if situation.anchor is not None:
            weights[situation.anchor.id] = (situation.anchor, 1.0, ON_SCREEN)
        for item in situation.history:
            entry = self.index.entries.get(item.entry_id)
            if entry is None:
                continue
            if item.entry_id not in weights:
                if len(weights) == HISTORY_ANCHORS:
                    continue
                weights[item.entry_id] = (entry, RECENCY_DECAY ** len(weights), VIEWED)
            _, weight, why = weights[item.entry_id]
            if item.kind == CART and why == VIEWED:
                weights[item.entry_id] = (entry, weight * CART_BOOST, CARTED)
        return list(weights.values())

    def candidates(self, situation: Situation) -> Iterable[Candidate]:
        anchors = self._anchors(situation)
        seen = {entry.id for entry, _, _ in anchors}
        totals: dict[str, float] = {}
        best: dict[str, tuple[float, Entry, str]] = {}
        for entry, weight, why in anchors:
            for other, similarity in self.index.scores(entry).items():
                if other in seen:
                    continue
                share = weight * similarity
                totals[other] = totals.get(other, 0.0) + share
                strongest = best.get(other)
                if similarity >= MIN_SIMILARITY and (strongest is None or share > strongest[0]):
                    best[other] = (share, entry, why)
        return _ranked(
            self._candidate(other, totals[other], entry, why)
            for other, (_, entry, why) in best.items()
        )

    def _candidate(self, entry_id: str, score: float, anchor: Entry, why: str) -> Candidate:
        title = title_of(anchor)
        if why == ON_SCREEN:
            return Candidate(entry_id, score, f"similar to *{title}*", SimilarToEntry.name)
        if why == CARTED:
            return Candidate(
                entry_id, score, f"because you added *{title}* to your cart", self.name
            )
        return Candidate(entry_id, score, f"because you viewed *{title}*", self.name)


@dataclass(frozen=True)
class PopularInSegments:
    """What viewers in the viewer's segments engaged with lately (stored by a job).

    Scores are scaled within each segment, so a small segment's favourites are not drowned
    by a large one's; the reason names the segment where the entry ranks highest.
    """

    popularity: Popularity
    name: str = "popular-in-segment"

    def candidates(self, situation: Situation) -> Iterable[Candidate]:
        best: dict[str, tuple[float, str]] = {}
        for segment in situation.segments:
            ranked = self.popularity.get(segment, ())
            if not ranked:
                continue
            top = ranked[0].score or 1.0
            for popular in ranked:
                scaled = popular.score / top
                if scaled > best.get(popular.entry_id, (0.0, ""))[0]:
                    best[popular.entry_id] = (scaled, segment)
        return _ranked(
            Candidate(entry_id, scaled, f"popular with `{segment}`", self.name)
            for entry_id, (scaled, segment) in best.items()
        )


@dataclass(frozen=True)
class Popular:
    """What everyone counted engaged with lately; the same for every viewer."""

    popularity: Popularity
    note: str = ""
    name: str = "popular"

    def candidates(self, situation: Situation) -> Iterator[Candidate]:
        reason = f"popular now{self.note}"
        for popular in self.popularity.get(OVERALL, ()):
            yield Candidate(popular.entry_id, popular.score, reason, self.name)


@dataclass(frozen=True)
class Recent:
    """Newest first, among entries nobody was counted interacting with in the window.

    A new entry has no views to be popular with and, in a small catalogue, may share few
    words with anything; this gives it a way to be seen at all.
    """

    index: ContentIndex
    popularity: Popularity
    note: str = ""
    name: str = "recent"

    def candidates(self, situation: Situation) -> Iterator[Candidate]:
        engaged = {popular.entry_id for popular in self.popularity.get(OVERALL, ())}
        reason = f"new{self.note}"
        fresh = (item for item in self.index.newest if item.id not in engaged)
        for rank, item in enumerate(fresh):
            yield Candidate(item.id, 1.0 / (1 + rank), reason, self.name)


def plan(
    situation: Situation,
    index: ContentIndex,
    popularity: Popularity,
    trained: Sequence[Strategy] = (),
) -> list[Strategy]:
    """The strategies to fill a list from, in order; later ones fill what earlier ones lack.

    With consent: ``trained`` models first, then the entry they are on together with their
    history, then that entry alone (for what shares little with the history), their
    segments' favourites, what is popular, what is new. Without: only the entry they are
    on, what is popular and what is new, each reason saying why nothing more was used.
    """
    note = "" if situation.personal else NO_CONSENT
    chain: list[Strategy] = []
    if situation.personal:
        chain += [*trained, SimilarToHistory(index)]
    if situation.anchor is not None:
        chain.append(SimilarToEntry(index, note))
    if situation.personal:
        chain.append(PopularInSegments(popularity))
    chain += [Popular(popularity, note), Recent(index, popularity, note)]
    return chain
