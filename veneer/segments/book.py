"""The rule book: what every evaluation derives from one load of the segment definitions.

Reference cycles, how much event history the rules need and which event types they count
depend only on the rules, so a server works them out once per load of the definitions
instead of for every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from veneer.segments.definition import SegmentDefinition
from veneer.segments.rules import Rule, event_lookback, reference_cycles, referenced_event_types


@dataclass(frozen=True)
class RuleBook:
    definitions: Mapping[str, SegmentDefinition]  # the load these were derived from
    rules: Mapping[str, Rule]
    cyclic: frozenset[str]  # segments on a reference loop: never anyone's
    lookback: timedelta | None  # the event history the rules need; None: none at all
    event_types: frozenset[str]  # the event types they count

    @classmethod
    def of(cls, definitions: Mapping[str, SegmentDefinition], unbounded: timedelta) -> RuleBook:
        """``unbounded`` caps a condition that counts all history."""
        rules = {key: d.rule for key, d in definitions.items()}
        return cls(
            definitions,
            rules,
            reference_cycles(rules).keys,
            event_lookback(rules.values(), unbounded),
            referenced_event_types(rules.values()),
        )
