"""Segments: rules over a viewer's traits and behaviour, parsed and evaluated as pure code."""

from veneer.segments.evaluate import ViewerFacts, evaluate_segments
from veneer.segments.rules import Rule, RuleError, parse_rule, referenced_segments

__all__ = [
    "Rule",
    "RuleError",
    "ViewerFacts",
    "evaluate_segments",
    "parse_rule",
    "referenced_segments",
]
