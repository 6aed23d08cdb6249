"""What personalization may use about one viewer: their stored record, and the state a
request judges from it (consent, layered traits, segments, holdouts, experiment arms)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from veneer.consent import ConsentState, Purpose
from veneer.identity.viewer import Viewer
from veneer.profiles.traits import EffectiveTraits, TraitSource
from veneer.propensity.record import Score
from veneer.segments.book import RuleBook


@dataclass(frozen=True)
class ViewerRecord:
    """What the database holds about a viewer, cached briefly as one unit."""

    traits: dict[str, Any]
    consent_records: list[ConsentState]
    activity: dict[str, Any]
    partner_traits: dict[TraitSource, dict[str, Any]]
    propensity: dict[str, Score] = field(default_factory=dict)  # by event, as last scored
    exposures: dict[str, str] = field(default_factory=dict)  # experiment -> arm first served


@dataclass(frozen=True)
class ViewerState:
    """What personalization may use about one viewer in this request."""

    viewer: Viewer | None
    consent: dict[Purpose, ConsentState]
    segments: frozenset[str]
    traits: dict[str, Any]
    activity: dict[str, Any]
    trait_sources: dict[str, TraitSource]
    held_out: frozenset[str] = frozenset()  # segments whose holdout the viewer falls into
    propensity: dict[str, Score] = field(default_factory=dict)  # none without PERSONALIZATION
    arms: dict[str, str] = field(default_factory=dict)  # running experiment -> the viewer's arm
    controls: dict[str, str] = field(default_factory=dict)  # those experiments' control arms
    exposures: dict[str, str] = field(default_factory=dict)  # experiment -> arm, as stored

    @cached_property  # read by every entry of an answer, and by its key
    def granted(self) -> frozenset[Purpose]:
        return frozenset(p for p, state in self.consent.items() if state.granted)


@dataclass(frozen=True)
class Judged:
    """A viewer's consent, traits and segments as judged from one load of their record.

    The in-process cache hands out the same record object until it changes; while it (and
    the loaded rules) are the same objects, and no rule counts events (whose windows age),
    a request reuses the judgement instead of evaluating every rule again.
    """

    record: ViewerRecord
    gpc: bool
    consent: dict[Purpose, ConsentState]
    layered: EffectiveTraits
    book: RuleBook | None = None
    segments: frozenset[str] = frozenset()
    held_out: frozenset[str] = frozenset()
