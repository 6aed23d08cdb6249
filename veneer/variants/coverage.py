"""Personalization coverage: why each entry an answer showed was, or was not, personalized.

The people who run personalization ask two questions of it: how much of what viewers see is
personalized at all, and, where it is not, what stands in the way (consent, holdouts,
editors' variants that target nobody who visits). So each entry served is counted under one
`Reason` from a small closed set, and a day's counts become shares (`Coverage`).

One entry can be shaped by two decisions: Veneer picked it (a recommendation, an offer), and
a variant of it was chosen for the viewer. It counts once, under the decision that
personalized it most visibly: a segment's or an experiment arm's variant first, since that
is what the viewer reads; then why it was picked; then why its variant is the baseline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from veneer.recommend.strategies import PopularInSegments, SimilarToHistory

# What `Personalization.strategy` says of an offer a trigger made (blocks, `viewer.offers`).
OFFER_STRATEGY = "trigger:"
# Strategies that pick from the viewer's own activity or segments, and trained models,
# named by recipe and version as `TrainedStrategy.name` says (``EASE+LightFM:v7``).
PERSONAL_STRATEGIES = frozenset({SimilarToHistory.name, PopularInSegments.name})
TRAINED_MODEL = re.compile(r".+:v\d+")


class Reason(StrEnum):
    """Why a served entry was personalized, or why it was not. Stored by value: never
    rename one, add a new one instead."""

    SEGMENT = "segment"  # a variant editors targeted at one of the viewer's segments
    EXPERIMENT = "experiment"  # the variant of the viewer's experiment arm
    RECOMMENDED = "recommended"  # picked from the viewer's activity, segments or traits
    OFFER = "offer"  # a trigger's offer, made for what the viewer did
    NO_CONSENT = "no_consent"  # no PERSONALIZATION consent: the baseline
    HOLDOUT = "holdout"  # held out of a segment, to measure it against the baseline
    CONTROL = "control"  # an experiment's control arm: the baseline
    NO_MATCH = "no_match"  # variants exist, none for the viewer's segments (or they have none)
    NO_VARIANTS = "no_variants"  # the entry has no variants: nothing to personalize
    FALLBACK = "fallback"  # picked not for the viewer: popular, new, similar, pinned, ...

    @property
    def personalized(self) -> bool:
        return self in PERSONALIZED

    @property
    def label(self) -> str:
        """How a dashboard names it."""
        return LABELS[self]


PERSONALIZED = frozenset({Reason.SEGMENT, Reason.EXPERIMENT, Reason.RECOMMENDED, Reason.OFFER})
LABELS: Mapping[Reason, str] = {
    Reason.SEGMENT: "segment variant",
    Reason.EXPERIMENT: "experiment arm",
    Reason.RECOMMENDED: "recommended from their activity",
    Reason.OFFER: "triggered offer",
    Reason.NO_CONSENT: "no personalization consent",
    Reason.HOLDOUT: "segment holdout",
    Reason.CONTROL: "experiment control",
    Reason.NO_MATCH: "no variant for their segments",
    Reason.NO_VARIANTS: "entry has no variants",
    Reason.FALLBACK: "fallback (popular, new, similar, pinned)",
}


def served_reason(variant: Reason, strategy: str | None = None) -> Reason:
    """The one reason an entry counts under: ``variant`` is why its variant was chosen
    (`Choice.why`), ``strategy`` what picked the entry when Veneer picked it.

    A strategy not known to pick from the viewer's activity, segments or traits counts as
    the fallback (popular, new, similar to the entry on screen, pinned by the editors, and
    any strategy not listed here yet), so coverage never claims more than it knows.
    """
    if variant is Reason.SEGMENT or variant is Reason.EXPERIMENT or strategy is None:
        return variant
    if strategy.startswith(OFFER_STRATEGY):
        return Reason.OFFER
    if strategy in PERSONAL_STRATEGIES or TRAINED_MODEL.fullmatch(strategy):
        return Reason.RECOMMENDED
    return Reason.FALLBACK


# What an entry served is counted under: why, and the strategy that picked it, if one did
# (`None` for entries asked for by id or listed as the CMS orders them).
Served = tuple[Reason, str | None]


@dataclass(frozen=True)
class Tally:
    """Entries served, by reason; shares are None when nothing was served."""

    counts: Mapping[Reason, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def personalized(self) -> int:
        return sum(n for reason, n in self.counts.items() if reason in PERSONALIZED)

    @property
    def baseline(self) -> int:
        return self.total - self.personalized

    @property
    def personalized_share(self) -> float | None:
        return self.personalized / self.total if self.total else None

    @property
    def baseline_share(self) -> float | None:
        return self.baseline / self.total if self.total else None

    def share(self, reason: Reason) -> float | None:
        return self.counts.get(reason, 0) / self.total if self.total else None


@dataclass(frozen=True)
class DayCoverage(Tally):
    day: date


@dataclass(frozen=True)
class Coverage:
    """Every day from ``since`` to ``until`` (days with nothing served too, so a chart has
    no gaps), and the whole period."""

    since: date
    until: date
    days: tuple[DayCoverage, ...]
    totals: Tally
    strategies: Mapping[str, int] = field(default_factory=dict)  # entries each strategy picked


def summarize(rows: Iterable[tuple[date, str, str, int]], since: date, until: date) -> Coverage:
    """Stored ``(day, reason, strategy, count)`` rows as coverage (``strategy`` empty when
    no strategy picked the entry). A reason this version does not know (written by a newer
    one during a rolling upgrade) is left out."""
    known = {reason.value: reason for reason in Reason}
    by_day: dict[date, dict[Reason, int]] = {}
    strategies: dict[str, int] = {}
    for day, value, strategy, count in rows:
        reason = known.get(value)
        if reason is not None and since <= day <= until:
            counts = by_day.setdefault(day, {})
            counts[reason] = counts.get(reason, 0) + count
            if strategy:
                strategies[strategy] = strategies.get(strategy, 0) + count
    totals: dict[Reason, int] = {}
    days = []
    for offset in range((until - since).days + 1):
        day = since + timedelta(days=offset)
        counts = by_day.get(day, {})
        for reason, count in counts.items():
            totals[reason] = totals.get(reason, 0) + count
        days.append(DayCoverage(counts=counts, day=day))
    ranked = dict(sorted(strategies.items(), key=lambda item: (-item[1], item[0])))
    return Coverage(since, until, tuple(days), Tally(totals), ranked)
