"""Exploration: a share of every list comes from outside what the viewer's profile proposes.

Strategies that follow a viewer's history and segments keep proposing more of the same, and
what a viewer is never shown they never get the chance to take up, so the profile only ever
narrows (a filter bubble). Exploration gives a fixed share of a list's positions to entries
drawn from the rest of the catalogue that the viewer has not looked at yet, preferring, in
this order: one that shares no tag (an untagged entry: no content type) with what the viewer
viewed or carted nor with anything listed above it; one that shares none with what they
viewed or carted; any entry not listed yet, which is still one the strategies ranked lower.

Draws are uniform, not led by popularity: every viewer would otherwise be shown the same few
popular entries, and exploration is also how the rest of a catalogue gets seen at all.
They are seeded by the viewer and the day, so a viewer's answer stays the same all day
(cacheable, and repeatable in a test) and changes the next. Picks obey the list's filters
like every other entry: never the entry on screen, nothing bought, passed over or
excluded, only the content types asked for, only what the CMS serves now.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime

from veneer.recommend.candidates import Candidate
from veneer.recommend.strategies import NO_CONSENT

EXPLORE = "explore"  # what `Personalization.strategy` says of an exploration pick
REASON = "something different to explore"
DRAWS = 200  # catalogue entries drawn per slot, at most, looking for one outside the profile
EPSILON = 1e-9  # 10 x 0.1 must count as 1 however the float rounds


def seed_for(viewer_id: str | None, now: datetime) -> str:
    """What draws are seeded with: the viewer and the UTC day.

    A viewer without RECOMMENDATIONS consent is passed as None: their list uses nothing
    about them, so everyone in that position shares one list for the day.
    """
    return f"{viewer_id or ''}|{now.astimezone(UTC).date().isoformat()}"


def reason(personal: bool) -> str:
    """Why an exploration pick is shown, in the words of the other strategies' reasons."""
    return REASON if personal else REASON + NO_CONSENT


def explores(position: int, share: float) -> bool:
    """Whether ``position`` (from 0) of a list is exploration's.

    The first ``m`` positions of any list hold ``floor(m * share)`` of them: at 0.1 the
    10th, 20th, ... So a longer list starts like a shorter one (a feed's first page is
    the list `recommendations` would give), and a list shorter than ``1 / share`` has none.
    """
    if share <= 0:
        return False
    return math.floor((position + 1) * share + EPSILON) > math.floor(position * share + EPSILON)


def shuffled(entry_ids: Iterable[str], seed: str) -> Iterator[str]:
    """``entry_ids`` in an order drawn from ``seed``, the same in every process.

    Lazy (a Fisher-Yates shuffle, one step per entry taken), so a list that needs one pick
    from a catalogue of 50,000 entries does not pay for shuffling them all.
    """
    draw = random.Random(seed)  # a str seed is hashed with SHA-512: no per-process salt
    order = list(entry_ids)
    for i in range(len(order)):
        j = draw.randrange(i, len(order))
        order[i], order[j] = order[j], order[i]
        yield order[i]


def explore(
    ranked: Sequence[Candidate],
    catalogue: Iterable[str],
    *,
    length: int,
    share: float,
    seed: str,
    allows: Callable[[str], bool],
    topics: Mapping[str, frozenset[str]],
    seen: Collection[str] = (),
    why: str = REASON,
) -> list[Candidate]:
    """Up to ``length`` entries: ``ranked`` in its order, exploration's picks at its positions.

    Picks come from ``catalogue`` (every entry id the CMS serves), only those ``allows``
    lets through and none in ``seen`` (what the viewer viewed or carted, the entry on
    screen). A pick displaces the end of ``ranked``; a slot whose draws find nothing goes
    back to ``ranked``. Each entry is listed once.
    """
    if share <= 0:
        return list(ranked[:length])
    draws = shuffled(catalogue, seed)
    profile: frozenset[str] = frozenset().union(*(topics.get(i, frozenset()) for i in seen))
    shown: set[str] = set()  # the topics of the entries listed so far
    listed: set[str] = set()
    spares: tuple[list[str], list[str]] = ([], [])  # drawn: outside the profile; inside it

    def pick() -> str | None:
        for _, entry_id in zip(range(DRAWS), draws, strict=False):
            if entry_id in listed or entry_id in seen or not allows(entry_id):
                continue
            about = topics.get(entry_id, frozenset())
            if not about.isdisjoint(profile):
                spares[1].append(entry_id)
            elif not about.isdisjoint(shown):
                spares[0].append(entry_id)
            else:
                return entry_id
        for spare in spares:
            found = next((entry_id for entry_id in spare if entry_id not in listed), None)
            if found is not None:
                return found
        return None

    personal = iter(ranked)
    chosen: list[Candidate] = []
    while len(chosen) < length:
        picked = pick() if explores(len(chosen), share) else None
        found = (
            Candidate(picked, 0.0, why, EXPLORE)
            if picked is not None
            else next((c for c in personal if c.entry_id not in listed), None)
        )
        if found is None:
            break
        chosen.append(found)
        listed.add(found.entry_id)
        shown.update(topics.get(found.entry_id, frozenset()))
    return chosen
