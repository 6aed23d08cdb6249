"""A saved segment: its key, its name, and its rule both as written and as parsed."""

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

    @classmethod
    def parse(cls, key: str, name: str, rule_json: dict[str, Any]) -> SegmentDefinition:
        return cls(key, name, rule_json, parse_rule(rule_json))
