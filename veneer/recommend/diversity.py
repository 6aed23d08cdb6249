"""A floor under how varied a recommendation list is, kept after MMR has re-ranked it.

MMR (`veneer.recommend.rerank`) trades relevance against similarity pick by pick, so a
viewer whose history is all climbing can still get a list that is all climbing: each pick
was the best trade at its turn. The floor is a rule about the list as a whole: at least
``floor`` of it (rounded down, so short lists are left alone) lies outside any one topic
(a tag; an untagged entry's content type). With 0.2, a list of ten holds at most eight
entries tagged `climbing`, and a list of four is whatever MMR made it.

Entries that would break the floor make way, lowest-ranked first, for the best candidates
from the strategies' further proposals that keep it; when the catalogue has too few such
entries, they come back in their order, since a list that is full and less varied serves
a viewer better than a short one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice

from veneer.recommend.candidates import Candidate

RESERVE_FACTOR = 10  # further candidates weighed per list entry, at most, to meet the floor
EPSILON = 1e-9  # 10 x 0.3 is 2.9999999999999996 in floating point


def outside_needed(length: int, floor: float) -> int:
    """How many of a list of ``length`` must lie outside its most common topic."""
    if floor <= 0 or length <= 0:
        return 0
    return min(length, math.floor(length * floor + EPSILON))


def diversify(
    ranked: Sequence[Candidate],
    reserve: Iterable[Candidate],
    topics: Mapping[str, frozenset[str]],
    floor: float,
) -> list[Candidate]:
    """``ranked`` with entries swapped for ``reserve`` ones until no topic covers more than
    ``1 - floor`` of it; as long as ``ranked`` (the kept entries keep their order, those
    brought in follow them).

    ``reserve`` holds further candidates, best first, all allowed by the list's filters; it
    may be lazy and is read only if the list breaks the floor, and then only so far.
    """
    length = len(ranked)
    cap = length - outside_needed(length, floor)
    if cap >= length:
        return list(ranked)
    counts: Counter[str] = Counter()

    def fits(candidate: Candidate) -> bool:
        return all(counts[topic] < cap for topic in topics.get(candidate.entry_id, ()))

    kept: list[Candidate] = []
    deferred: list[Candidate] = []
    for candidate in ranked:
        if fits(candidate):
            kept.append(candidate)
            counts.update(topics.get(candidate.entry_id, ()))
        else:
            deferred.append(candidate)
    if not deferred:
        return kept
    listed = {candidate.entry_id for candidate in ranked}
    for candidate in islice(reserve, length * RESERVE_FACTOR):
        if len(kept) == length:
            break
        if candidate.entry_id in listed:
            continue
        listed.add(candidate.entry_id)
        if fits(candidate):
            kept.append(candidate)
            counts.update(topics.get(candidate.entry_id, ()))
    return kept + deferred[: length - len(kept)]
