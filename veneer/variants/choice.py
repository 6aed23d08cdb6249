"""Choose an entry's variant for a viewer: a pure function of (entry, segments, consent, now).

An experiment on the entry decides first for a viewer it enrols: the variant named by their
arm, or the baseline for the control (an experiment's variants without an audience are open
to everyone it enrols; with one, to that audience). Otherwise the highest-priority live
variant whose audience holds one of the viewer's segments wins (ties go to the variant listed
first, as the editor ordered them); otherwise the baseline. Every choice carries its reason
in plain words, because "why do I see this?" is the first question editors and developers
ask, and as one of a few reasons (`Choice.why`), so what was served can be counted by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from veneer.consent import Purpose
from veneer.entries import Entry, Variant
from veneer.experiments.definition import CONTROL
from veneer.variants.coverage import Reason


@dataclass(frozen=True)
class Choice:
    variant: Variant | None
    reason: str
    why: Reason  # ``reason`` as one of a few, for coverage counts (`veneer.variants.coverage`)
    segments: tuple[str, ...] = ()
    purposes: tuple[Purpose, ...] = ()
    experiment: tuple[str, str] | None = None  # (experiment key, arm) when one decided

    @property
    def baseline(self) -> bool:
        return self.variant is None


def choose_variant(
    entry: Entry,
    segments: Set[str],
    granted: Set[Purpose],
    now: datetime,
    held_out: Set[str] = frozenset(),
    arms: Mapping[str, str] | None = None,
    controls: Mapping[str, str] | None = None,
) -> Choice:
    """Pick the variant to show; ``segments`` and ``granted`` describe the viewer.

    ``held_out`` are segments the viewer is in but whose holdout they fall into: they see
    the baseline, so the segment's personalization can be compared against it. ``arms`` maps
    each running experiment that enrols the viewer to their arm, ``controls`` each one to its
    control arm (``control`` when not given).
    """
    if not entry.variants:
        return Choice(None, "entry has no variants: baseline", Reason.NO_VARIANTS)
    if Purpose.PERSONALIZATION not in granted:
        return Choice(None, "no PERSONALIZATION consent: baseline", Reason.NO_CONSENT)
    if arms:
        decided = _experiment_choice(entry, segments - held_out, now, arms, controls or {})
        if decided is not None:
            return decided
    best: tuple[Variant, list[str]] | None = None
    for variant in entry.variants:
        if variant.experiment is not None or not variant.is_live(now):
            continue
        matched = [key for key in variant.audience if key in segments and key not in held_out]
        if matched and (best is None or variant.priority > best[0].priority):
            best = (variant, matched)
    if best is None:
        held = [
            key
            for variant in entry.variants
            if variant.experiment is None and variant.is_live(now)
            for key in variant.audience
            if key in held_out
        ]
        if held:
            held_reason = f"viewer is in the holdout of segment `{held[0]}`: baseline"
            return Choice(None, held_reason, Reason.HOLDOUT)
        if not segments:
            return Choice(None, "viewer is in no segment: baseline", Reason.NO_MATCH)
        return Choice(
            None, "no live variant targets the viewer's segments: baseline", Reason.NO_MATCH
        )
    variant, matched = best
    named = ", ".join(f"`{key}`" for key in matched)
    noun = "segment" if len(matched) == 1 else "segments"
    return Choice(
        variant,
        f"{noun} {named} matched variant `{variant.id}`",
        Reason.SEGMENT,
        segments=tuple(matched),
        purposes=(Purpose.PERSONALIZATION,),
    )


def _experiment_choice(
    entry: Entry,
    segments: Set[str],
    now: datetime,
    arms: Mapping[str, str],
    controls: Mapping[str, str],
) -> Choice | None:
    """The first experiment on the entry that enrols the viewer, whose audience they are in,
    and that has something to show their arm here: the baseline for the control, else the
    arm's live variant. An arm with no live variant on this entry (its schedule ended, or it
    lives on other entries) decides nothing here, so the viewer is not counted as seeing it."""
    live = [v for v in entry.variants if v.experiment is not None and v.is_live(now)]
    for key in dict.fromkeys(v.experiment for v in live if v.experiment in arms):
        assert key is not None
        tagged = [v for v in live if v.experiment == key]
        if not any(not v.audience or any(k in segments for k in v.audience) for v in tagged):
            continue
        arm = arms[key]
        shown = next((v for v in tagged if v.id == arm), None)
        if shown is None and arm != controls.get(key, CONTROL):
            continue
        if shown is None:
            return Choice(
                None,
                f"experiment `{key}` put the viewer in arm `{arm}`: baseline",
                Reason.CONTROL,
                purposes=(Purpose.PERSONALIZATION,),
                experiment=(key, arm),
            )
        return Choice(
            shown,
            f"experiment `{key}` put the viewer in arm `{arm}`",
            Reason.EXPERIMENT,
            segments=tuple(k for k in shown.audience if k in segments),
            purposes=(Purpose.PERSONALIZATION,),
            experiment=(key, arm),
        )
    return None


def next_change(entry: Entry, now: datetime) -> datetime | None:
    """When the choice for ``entry`` may next change by the clock alone: the first variant
    start or end after ``now``. An answer built now holds for every viewer until then."""
    later = [
        moment
        for variant in entry.variants
        for moment in (variant.start, variant.end)
        if moment is not None and moment > now
    ]
    return min(later, default=None)


def merged_fields(entry: Entry, choice: Choice) -> Mapping[str, Any]:
    """The variant's overrides laid over the baseline, field by field (a shallow merge)."""
    if choice.variant is None or not choice.variant.fields:
        return entry.fields
    return {**entry.fields, **choice.variant.fields}
