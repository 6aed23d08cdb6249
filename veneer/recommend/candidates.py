"""The seam every way of recommending plugs into: a `Strategy` proposes `Candidate`s.

A strategy sees one `Situation` (who is asking, next to which entry, what they may be
recommended from) and proposes entries best first, each with the reason a viewer is shown
and the strategy's name. Re-ranking (`veneer.recommend.rerank`) then filters, diversifies and
fills from the next strategy when one runs short, so a strategy never needs to know about
the viewer's purchases, the `exclude` list or the other strategies. Trained models join as
one more strategy in front of the fallbacks (see `veneer.recommend.strategies.plan`): a job
writes their scores, the server wraps them in a `Strategy`, and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from veneer.entries import Entry

VIEW, CART, PURCHASE = "entry_view", "add_to_cart", "purchase"


@dataclass(frozen=True)
class Interaction:
    """One thing a viewer did with an entry: an event type (`VIEW`, `CART`, `PURCHASE`)."""

    entry_id: str
    kind: str
    at: datetime


@dataclass(frozen=True)
class Situation:
    """What a request for recommendations knows; plain data, read once per request.

    ``personal`` is the viewer's RECOMMENDATIONS consent: without it, ``history``,
    ``segments`` and ``traits`` are empty and only non-personalized strategies run. Segments
    and traits also need PERSONALIZATION; ``traits`` are the viewer's own (first-party), as
    models are trained on them.
    """

    now: datetime
    anchor: Entry | None = None  # the entry the viewer is on, if any
    personal: bool = False
    history: tuple[Interaction, ...] = ()  # views and cart adds, newest first
    segments: tuple[str, ...] = ()
    traits: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    """A proposed entry, how strongly (comparable within one strategy only), and why."""

    entry_id: str
    score: float
    reason: str
    strategy: str

    def reason_with(self, variant_reason: str, baseline: bool) -> str:
        """Why the viewer sees the entry: why it was picked, then which variant shows."""
        return self.reason if baseline else f"{self.reason}; {variant_reason}"


class Strategy(Protocol):
    """One source of candidates: a fallback here, or a trained model's scores."""

    @property
    def name(self) -> str:
        """What `Personalization.strategy` says, e.g. ``popular`` or ``lightfm:v7``."""
        ...

    def candidates(self, situation: Situation) -> Iterable[Candidate]:
        """Entries to recommend, best first; may be lazy, since re-ranking stops early."""
        ...
