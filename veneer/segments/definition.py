"""A saved segment: its key, its name, its rule both as written and as parsed, its holdout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veneer.segments.rules import Rule, parse_rule


@dataclass(frozen=True)
class SegmentDefinition:
    key: str
    name: str
    rule_json: dict[str, Any]
    rule: Rule
    holdout: float = 0.0  # share of members who see the baseline, for validation

    @classmethod
    def parse(
        cls, key: str, name: str, rule_json: dict[str, Any], holdout: float = 0.0
    ) -> SegmentDefinition:
        return cls(key, name, rule_json, parse_rule(rule_json), holdout)
