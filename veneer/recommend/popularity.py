"""What is popular, overall and within each segment: computed by a job, read by requests.

Counting every event on each request would scan the events table per page view, so a job
(housekeeping) runs `popularity` over a recent window and stores the top entries per scope;
requests read that small table. Only viewers who granted RECOMMENDATIONS are counted, and a
viewer counts in a segment's scope only if they also granted PERSONALIZATION (segments are
a personalization purpose).

Each viewer counts once per entry, by their strongest recent interaction: a purchase weighs
more than a cart add, which weighs more than a view, and older interactions fade with a
half-life. So one enthusiast who views an entry fifty times cannot make it "popular", and
what people did this week counts for more than what they did last month. An entry is
popular in a scope only once several distinct viewers (`MIN_VIEWERS`) were counted engaging
with it, in the overall scope as in a segment's: "popular now" is shown to every viewer and
"popular with `climbers`" to every climber, and neither may reveal what one viewer looked at
to the others (on a small site, a single viewer's views would otherwise top "popular now").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from veneer.recommend.candidates import CART, PURCHASE, VIEW, Interaction

OVERALL = ""  # the scope of everyone counted; other scopes are segment keys
WEIGHTS: Mapping[str, float] = {VIEW: 1.0, CART: 2.0, PURCHASE: 3.0}
MIN_VIEWERS = 3  # distinct viewers an entry needs before it is popular in any scope
KEEP = 200  # entries kept per scope: more than any page of recommendations asks for


@dataclass(frozen=True)
class Popular:
    entry_id: str
    score: float
    viewers: int  # distinct viewers counted


Popularity = Mapping[str, Sequence[Popular]]
"""Scope (`OVERALL` or a segment key) -> its most popular entries, most popular first."""


@dataclass(frozen=True)
class Counted:
    """One viewer's interaction, with what they may be counted for."""

    viewer_id: str
    interaction: Interaction
    segments: frozenset[str] = frozenset()  # empty unless PERSONALIZATION was granted


def bought(entry_id: str | None, properties: Mapping[str, object]) -> list[str]:
    """The entries one purchase event bought: its ``entryId`` and ``properties.items``.

    A shop sends one purchase per order, so the items usually ride in ``properties``.
    """
    found = [entry_id] if entry_id else []
    items = properties.get("items")
    if isinstance(items, list):
        found += [item for item in items if isinstance(item, str) and item]
    return list(dict.fromkeys(found))


def popularity(
    counted: Iterable[Counted],
    now: datetime,
    half_life: timedelta,
    keep: int = KEEP,
    min_viewers: int = MIN_VIEWERS,
) -> dict[str, list[Popular]]:
    """Every scope's most popular entries, from the viewers' interactions in the window.

    An entry is left out of a scope until `min_viewers` distinct viewers in it were counted.
    """
    strongest: dict[tuple[str, str], float] = {}
    segments_of: dict[str, frozenset[str]] = {}
    for item in counted:
        weight = WEIGHTS.get(item.interaction.kind)
        if weight is None:
            continue
        age = max((now - item.interaction.at) / half_life, 0.0)
        value = weight * 0.5**age
        key = (item.viewer_id, item.interaction.entry_id)
        strongest[key] = max(strongest.get(key, 0.0), value)
        segments_of[item.viewer_id] = item.segments
    scores: dict[str, dict[str, float]] = {}
    viewers: dict[str, dict[str, int]] = {}
    for (viewer_id, entry_id), value in strongest.items():
        for scope in (OVERALL, *segments_of[viewer_id]):
            scores.setdefault(scope, {})[entry_id] = scores.get(scope, {}).get(entry_id, 0) + value
            counts = viewers.setdefault(scope, {})
            counts[entry_id] = counts.get(entry_id, 0) + 1
    result: dict[str, list[Popular]] = {}
    for scope in sorted(scores):
        ranked = sorted(
            (
                Popular(entry_id, round(score, 6), viewers[scope][entry_id])
                for entry_id, score in scores[scope].items()
                if viewers[scope][entry_id] >= min_viewers
            ),
            key=lambda p: (-p.score, p.entry_id),
        )
        if ranked:
            result[scope] = ranked[:keep]
    return result
