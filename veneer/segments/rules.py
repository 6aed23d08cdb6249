"""The segment rule language of API.md, parsed into a typed tree.

Parsing happens once, when a segment is saved, and every error names the JSON path of the bad
node (``$.all[1].count``), so an editor can find the mistake in a long rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from graphlib import CycleError, TopologicalSorter
from typing import Any, Literal

TraitOp = Literal["eq", "ne", "in", "gt", "gte", "lt", "lte", "between", "exists", "contains"]
CountOp = Literal["eq", "gt", "gte", "lt", "lte"]
ScoreOp = Literal["gt", "gte", "lt", "lte", "between"]
TRAIT_OPS: tuple[str, ...] = TraitOp.__args__  # type: ignore[attr-defined]
COUNT_OPS: tuple[str, ...] = CountOp.__args__  # type: ignore[attr-defined]
SCORE_OPS: tuple[str, ...] = ScoreOp.__args__  # type: ignore[attr-defined]
_WINDOW = re.compile(r"([0-9]+)(m|h|d)")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
MAX_WINDOW = timedelta(days=3650)


class RuleError(ValueError):
    """A rule that does not parse; ``path`` points at the bad node."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class All:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Not:
    rule: Rule


@dataclass(frozen=True)
class TraitCondition:
    trait: str
    op: TraitOp
    value: Any = None


@dataclass(frozen=True)
class EventCondition:
    """At least/at most N events of ``event`` (matching ``where``) inside ``within``."""

    event: str
    where: tuple[tuple[str, Any], ...] = ()
    count: tuple[tuple[CountOp, int], ...] = (("gte", 1),)
    within: timedelta | None = None


@dataclass(frozen=True)
class SegmentRef:
    key: str


@dataclass(frozen=True)
class PropensityCondition:
    """The viewer's stored propensity score for ``event`` compared with ``value``.

    Scores are probabilities, so values lie in [0, 1]; ``between`` holds ``(low, high)``,
    both ends included. A viewer without a score matches no comparison.
    """

    event: str
    op: ScoreOp
    value: float | tuple[float, float]


Rule = All | AnyOf | Not | TraitCondition | EventCondition | SegmentRef | PropensityCondition

_NODE_KEYS = ("all", "any", "not", "trait", "event", "segment", "propensity")
_ALLOWED = {
    "all": {"all"},
    "any": {"any"},
    "not": {"not"},
    "segment": {"segment"},
    "trait": {"trait", "op", "value"},
    "event": {"event", "where", "count", "within"},
    "propensity": {"propensity", "op", "value"},
}


def parse_window(text: object, path: str = "$.within") -> timedelta:
    """``30m``, ``48h`` or ``7d`` as a `timedelta`."""
    match = _WINDOW.fullmatch(text) if isinstance(text, str) else None
    if match is None or int(match.group(1)) == 0:
        raise RuleError(path, f"window must look like 30m, 48h or 7d, got {text!r}")
    amount = int(match.group(1))
    if amount > MAX_WINDOW.days * 24 * 60:  # keeps timedelta() itself from overflowing
        raise RuleError(path, f"window is longer than {MAX_WINDOW.days} days")
    window = timedelta(**{_UNITS[match.group(2)]: amount})
    if window > MAX_WINDOW:
        raise RuleError(path, f"window is longer than {MAX_WINDOW.days} days")
    return window


def parse_rule(raw: object, path: str = "$") -> Rule:
    """Parse rule JSON into a `Rule`, or raise `RuleError` naming the bad node."""
    if not isinstance(raw, Mapping):
        raise RuleError(path, "a rule must be a JSON object")
    kinds = [k for k in _NODE_KEYS if k in raw]
    if len(kinds) != 1:
        raise RuleError(
            path,
            "a rule needs exactly one of all, any, not, trait, event, segment, propensity"
            + (f"; found {', '.join(kinds)}" if kinds else ""),
        )
    kind = kinds[0]
    extra = sorted(set(raw) - _ALLOWED[kind])
    if extra:
        raise RuleError(path, f"unexpected key(s) for a {kind} rule: {', '.join(extra)}")
    if kind in ("all", "any"):
        children = raw[kind]
        if not isinstance(children, list) or not children:
            raise RuleError(f"{path}.{kind}", "must be a non-empty list of rules")
        parsed = tuple(parse_rule(c, f"{path}.{kind}[{i}]") for i, c in enumerate(children))
        return All(parsed) if kind == "all" else AnyOf(parsed)
    if kind == "not":
        return Not(parse_rule(raw["not"], f"{path}.not"))
    if kind == "segment":
        key = raw["segment"]
        if not isinstance(key, str) or not key:
            raise RuleError(f"{path}.segment", "must be a segment key")
        return SegmentRef(key)
    if kind == "trait":
        return _parse_trait(raw, path)
    if kind == "propensity":
        return _parse_propensity(raw, path)
    return _parse_event(raw, path)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parse_trait(raw: Mapping[str, Any], path: str) -> TraitCondition:
    trait = raw["trait"]
    if not isinstance(trait, str) or not trait:
        raise RuleError(f"{path}.trait", "must be a trait name")
    op = raw.get("op")
    if op not in TRAIT_OPS:
        raise RuleError(f"{path}.op", f"must be one of {' '.join(TRAIT_OPS)}, got {op!r}")
    if op == "exists":
        value = raw.get("value", True)
        if not isinstance(value, bool):
            raise RuleError(f"{path}.value", "exists takes true or false")
        return TraitCondition(trait, op, value)
    if "value" not in raw:
        raise RuleError(f"{path}.value", f"the {op} operator needs a value")
    value = raw["value"]
    if op == "in" and not isinstance(value, list):
        raise RuleError(f"{path}.value", "in takes a list of values")
    if op == "between":
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(_is_number(v) for v in value)
            or value[0] > value[1]
        ):
            raise RuleError(f"{path}.value", "between takes [low, high] numbers, low <= high")
        value = (value[0], value[1])
    if op in ("gt", "gte", "lt", "lte") and not (_is_number(value) or isinstance(value, str)):
        raise RuleError(f"{path}.value", f"{op} compares with a number or a string")
    if isinstance(value, list):
        value = tuple(value)
    return TraitCondition(trait, op, value)


def _is_score(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


def _parse_propensity(raw: Mapping[str, Any], path: str) -> PropensityCondition:
    event = raw["propensity"]
    if not isinstance(event, str) or not event:
        raise RuleError(f"{path}.propensity", "must be the event type the score predicts")
    op = raw.get("op")
    if op not in SCORE_OPS:
        raise RuleError(f"{path}.op", f"must be one of {' '.join(SCORE_OPS)}, got {op!r}")
    if "value" not in raw:
        raise RuleError(f"{path}.value", f"the {op} operator needs a value")
    value = raw["value"]
    if op == "between":
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(_is_score(v) for v in value)
            or value[0] > value[1]
        ):
            raise RuleError(
                f"{path}.value", "between takes [low, high], scores from 0 to 1, low <= high"
            )
        return PropensityCondition(event, op, (float(value[0]), float(value[1])))
    if not _is_score(value):
        raise RuleError(f"{path}.value", f"a score is a number from 0 to 1, got {value!r}")
    return PropensityCondition(event, op, float(value))


def _parse_event(raw: Mapping[str, Any], path: str) -> EventCondition:
    event = raw["event"]
    if not isinstance(event, str) or not event:
        raise RuleError(f"{path}.event", "must be an event type")
    where = raw.get("where", {})
    if not isinstance(where, Mapping):
        raise RuleError(f"{path}.where", "must be an object of field: value")
    count_raw = raw.get("count", {"gte": 1})
    if not isinstance(count_raw, Mapping) or not count_raw:
        raise RuleError(f"{path}.count", 'must be an object such as {"gte": 3}')
    count: list[tuple[CountOp, int]] = []
    for op, n in count_raw.items():
        if op not in COUNT_OPS:
            raise RuleError(f"{path}.count.{op}", f"must be one of {' '.join(COUNT_OPS)}")
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise RuleError(f"{path}.count.{op}", "must be a whole number >= 0")
        count.append((op, n))
    within = None
    if "within" in raw:
        within = parse_window(raw["within"], f"{path}.within")
    frozen_where = tuple(
        (str(k), tuple(v) if isinstance(v, list) else v) for k, v in sorted(where.items())
    )
    return EventCondition(event, frozen_where, tuple(count), within)


def referenced_segments(rule: Rule) -> set[str]:
    """Keys of the segments a rule refers to, directly."""
    return {c.key for c in conditions(rule) if isinstance(c, SegmentRef)}


def referenced_traits(rule: Rule) -> set[str]:
    """The traits a rule tests, directly (segments it refers to test their own)."""
    return {c.trait for c in conditions(rule) if isinstance(c, TraitCondition)}


@dataclass(frozen=True)
class ReferenceCycles:
    """Segments whose references lead back to themselves, so no order can evaluate them."""

    keys: frozenset[str]  # every segment on a loop; a segment that only refers to one is not
    first: tuple[str, ...] | None  # one loop as a chain back to its start, to show an editor


def reference_cycles(rules: Mapping[str, Rule]) -> ReferenceCycles:
    """The one place loops of ``{"segment": key}`` references are found.

    Saving a segment refuses a loop (with ``first``); evaluation, in Python and in SQL, treats
    the segments on one (``keys``) as having no members. Each `CycleError` names one loop;
    its segments are merged into one node and the references sorted again, until they sort:
    every segment on any loop is then found, and none that merely refers to a loop.
    """
    graph: dict[str, set[str]] = {
        key: referenced_segments(rules[key]) & rules.keys() for key in sorted(rules)
    }
    members = {key: {key} for key in graph}  # node -> the segments merged into it
    on_loops: set[str] = set()
    first: tuple[str, ...] | None = None
    while True:
        sorter = TopologicalSorter({key: sorted(refs) for key, refs in graph.items()})
        try:
            sorter.prepare()
        except CycleError as error:
            # graphlib lists a loop from referee to referrer; editors read it the other way.
            loop: list[str] = list(reversed(error.args[1]))
            if first is None:
                start = loop.index(min(loop[:-1]))
                first = (*loop[start:-1], *loop[:start], loop[start])
            nodes = set(loop)
            node = min(nodes)
            merged = set().union(*(members.pop(n) for n in nodes))
            on_loops |= merged
            refs = set().union(*(graph.pop(n) for n in nodes)) - nodes
            graph = {k: {node if r in nodes else r for r in v} for k, v in graph.items()}
            graph[node], members[node] = refs, merged
        else:
            return ReferenceCycles(frozenset(on_loops), first)


def find_cycle(rules: Mapping[str, Rule]) -> list[str] | None:
    """A chain of segment keys that refers back to its start, if the rules contain one."""
    first = reference_cycles(rules).first
    return list(first) if first else None


Condition = TraitCondition | EventCondition | SegmentRef | PropensityCondition


def conditions(rule: Rule) -> list[Condition]:
    """The rule's tests, with the all/any/not around them taken away."""
    if isinstance(rule, All | AnyOf):
        return [c for r in rule.rules for c in conditions(r)]
    if isinstance(rule, Not):
        return conditions(rule.rule)
    return [rule]


def _event_conditions(rule: Rule) -> list[EventCondition]:
    return [c for c in conditions(rule) if isinstance(c, EventCondition)]


def event_lookback(rules: Iterable[Rule], unbounded: timedelta) -> timedelta | None:
    """How much history the rules' event conditions need; None when they need none.

    A condition without ``within`` counts all history, capped at ``unbounded``.
    """
    windows = [c.within or unbounded for rule in rules for c in _event_conditions(rule)]
    return max(windows) if windows else None


def referenced_event_types(rules: Iterable[Rule]) -> frozenset[str]:
    """The event types the rules count, so only those need loading."""
    return frozenset(c.event for rule in rules for c in _event_conditions(rule))
