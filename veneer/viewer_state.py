"""What personalization may use about one viewer: their stored record, and the state a
request judges from it (consent, layered traits, segments, holdouts, experiment arms)."""

from __future__ import annotations

from collections.abc import Hashable
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

    @cached_property
    def decisions(self) -> Hashable:
        """What about the viewer decides which variants they are shown: two viewers alike
        in this are shown the same variants of every entry (see `veneer.variants`)."""
        return (
            self.viewer is None,
            self.segments,
            self.granted,
            self.held_out,
            frozenset(self.arms.items()),
            frozenset(self.controls.items()),
        )

    def same_as(self, other: ViewerState) -> bool:
        """Whether ``other``, built from the same judgement (so the same record, consent and
        traits), holds what this does in the fields a judgement leaves open."""
        return (
            _who(self.viewer) == _who(other.viewer)
            and self.segments is other.segments
            and self.held_out is other.held_out
            and self.propensity == other.propensity
            and self.arms == other.arms
            and self.controls == other.controls
        )


def _who(viewer: Viewer | None) -> tuple[Viewer, bool] | None:
    """The viewer with what their equality leaves out: whether the device is the user's."""
    return None if viewer is None else (viewer, viewer.device_is_users)


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
    state: ViewerState | None = None  # the last state built from it, handed out again
