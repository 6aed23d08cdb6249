"""Why am I seeing this: which of a viewer's data produced what Veneer shows them.

Pure: takes the viewer's state and the saved segments and experiments, returns one
explanation per thing that makes the viewer's answers differ from everyone's (a segment
they are in, an experiment arm, a prediction, an offer a trigger made them, recommendations
from their activity), each
naming the data it came from and how to change it in the preference center. Without
PERSONALIZATION there is one: they see what everyone sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from veneer.consent import Purpose
from veneer.experiments.definition import Experiment
from veneer.segments.definition import SegmentDefinition
from veneer.segments.rules import (
    EventCondition,
    PropensityCondition,
    Rule,
    SegmentRef,
    TraitCondition,
    conditions,
)
from veneer.triggers.definition import Trigger
from veneer.viewer_state import ViewerState

CHANGE = "POST /v1/consent (the preference center) or setConsent"


class Because(StrEnum):
    BASELINE = "baseline"  # nothing personal: personalization is off
    SEGMENT = "segment"
    HOLDOUT = "holdout"  # in a segment, but kept on its baseline to measure it
    EXPERIMENT = "experiment"
    PREDICTION = "prediction"
    OFFER = "offer"  # a trigger's offer, made for what the viewer did
    RECOMMENDATIONS = "recommendations"


@dataclass(frozen=True)
class Explanation:
    because: Because
    reason: str  # one sentence, in the viewer's words
    data: tuple[str, ...]  # which of their data it used
    purpose: Purpose  # the consent it rests on
    change: str  # how to change it
    key: str | None = None  # the segment, experiment or predicted event


@dataclass(frozen=True)
class OfferMade:
    """An offer a trigger made the viewer lately, with the reason it gave then."""

    trigger: Trigger
    reason: str


def _data_of(
    rule: Rule, segments: Mapping[str, SegmentDefinition], own_key: str | None = None
) -> list[str]:
    """What a rule reads, segments it refers to followed (each once)."""
    found: list[str] = []
    seen = {own_key}
    queue = [rule]
    while queue:
        for condition in conditions(queue.pop(0)):
            if isinstance(condition, TraitCondition):
                found.append(f"your trait {condition.trait!r}")
            elif isinstance(condition, EventCondition):
                found.append(f"your {condition.event!r} events")
            elif isinstance(condition, PropensityCondition):
                found.append(f"the predicted likelihood that you {condition.event!r}")
            elif isinstance(condition, SegmentRef) and condition.key not in seen:
                seen.add(condition.key)
                if condition.key in segments:
                    queue.append(segments[condition.key].rule)
    return list(dict.fromkeys(found))


def _offer_data(trigger: Trigger, segments: Mapping[str, SegmentDefinition]) -> tuple[str, ...]:
    data = [] if trigger.when is None else _data_of(trigger.when, segments)
    if trigger.page is not None:
        data.append("the page you were on")
    return tuple(data)


def explain(
    state: ViewerState,
    segments: Mapping[str, SegmentDefinition],
    experiments: Mapping[str, Experiment],
    offers: Sequence[OfferMade] = (),
) -> list[Explanation]:
    """Every reason the viewer's answers differ from everyone's, segments first."""
    withdraw = f"withdraw {Purpose.PERSONALIZATION.value} ({CHANGE}) to see what everyone sees"
    if Purpose.PERSONALIZATION not in state.granted:
        return [
            Explanation(
                Because.BASELINE,
                "You see what everyone sees: you have not allowed personalization.",
                (),
                Purpose.PERSONALIZATION,
                f"grant {Purpose.PERSONALIZATION.value} ({CHANGE}) for content chosen for you",
            )
        ]
    found: list[Explanation] = []
    for key in sorted(state.segments):
        definition = segments.get(key)
        if definition is None:
            continue
        data = tuple(_data_of(definition.rule, segments, key))
        if key in state.held_out:
            reason = (
                f"You are in the segment {definition.name!r}, but among the few who see what "
                "everyone sees for it, so its effect can be measured."
            )
            found.append(
                Explanation(Because.HOLDOUT, reason, data, Purpose.PERSONALIZATION, withdraw, key)
            )
            continue
        reason = f"You are in the segment {definition.name!r}: content for it is shown to you."
        found.append(
            Explanation(Because.SEGMENT, reason, data, Purpose.PERSONALIZATION, withdraw, key)
        )
    for key, arm in sorted(state.arms.items()):
        experiment = experiments.get(key)
        name = experiment.name or key if experiment else key
        reason = f"You see version {arm!r} of the test {name!r}, chosen at random for you."
        found.append(
            Explanation(
                Because.EXPERIMENT,
                reason,
                ("a random number drawn from your id",),
                Purpose.PERSONALIZATION,
                withdraw,
                key,
            )
        )
    for event, score in sorted(state.propensity.items()):
        reason = f"Veneer predicts how likely you are to {event!r} soon, from what you did."
        found.append(
            Explanation(
                Because.PREDICTION,
                reason,
                (f"your recent activity ({score.model})",),
                Purpose.PERSONALIZATION,
                withdraw,
                event,
            )
        )
    for made in offers:
        name = made.trigger.name or made.trigger.key
        found.append(
            Explanation(
                Because.OFFER,
                f"You were offered {name!r} because of this: {made.reason}.",
                _offer_data(made.trigger, segments),
                Purpose.PERSONALIZATION,
                withdraw,
                made.trigger.key,
            )
        )
    if Purpose.RECOMMENDATIONS in state.granted:
        counts = state.activity.get("counts", {})
        kinds = tuple(f"your {kind!r} events" for kind in sorted(counts) if counts[kind])
        if kinds:
            found.append(
                Explanation(
                    Because.RECOMMENDATIONS,
                    "Recommendations are chosen from what you viewed and bought.",
                    kinds,
                    Purpose.RECOMMENDATIONS,
                    f"withdraw {Purpose.RECOMMENDATIONS.value} ({CHANGE}) for popular picks",
                )
            )
    return found
