"""Segment rules compiled to SQL, so membership of every profile is one query, not a loop.

Backfill, previews and sizes ask "which profiles match this rule now?" for up to millions of
profiles. `compile_rule` turns a parsed rule into a boolean SQL expression over ``profiles``
(first-party traits), a correlated count over ``events`` and a lookup of the stored
propensity score, for SQLite and PostgreSQL. It
mirrors `veneer.segments.evaluate` exactly, so a stored membership agrees with what a
request would decide from the same data: ``true`` is not ``1``, a missing trait matches only
``exists: false``, strings compare by code point, and windows end at ``now``. Every leaf is
wrapped so it is TRUE or FALSE, never NULL, which keeps ``not`` honest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB

from veneer.segments.rules import (
    All,
    AnyOf,
    EventCondition,
    Not,
    PropensityCondition,
    Rule,
    SegmentRef,
    TraitCondition,
    reference_cycles,
)
from veneer.store.models import EventRow, ProfileRow, PropensityScoreRow

profiles = ProfileRow.__table__
events = EventRow.__table__
scores = PropensityScoreRow.__table__


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Json:
    """One JSON value inside a JSON column, with the type tests each dialect spells its own way."""

    def __init__(self, dialect: str, column: Any, key: str):
        self.pg = dialect == "postgresql"
        self.column = column
        self.key = key
        self.value: ColumnElement[Any]
        self.kind: ColumnElement[Any]
        if self.pg:
            self.value = column[key]  # jsonb -> key
            self.kind = func.jsonb_typeof(self.value)
        else:
            self.path = '$."' + key.replace('"', '\\"') + '"'
            self.value = func.json_extract(column, self.path)
            self.kind = func.json_type(column, self.path)

    def present(self) -> ColumnElement[bool]:
        """Set and not JSON null."""
        return and_(self.kind.is_not(None), self.kind != "null")

    def is_number(self) -> ColumnElement[bool]:
        return self.kind == "number" if self.pg else self.kind.in_(("integer", "real"))

    def is_string(self) -> ColumnElement[bool]:
        return self.kind == "string" if self.pg else self.kind == "text"

    def is_array(self) -> ColumnElement[bool]:
        return self.kind == "array"

    def number(self) -> ColumnElement[Any]:
        if self.pg:
            return cast(self.column[self.key].as_string(), Float)
        return type_coerce(self.value, Float)

    def text(self) -> ColumnElement[Any]:
        if self.pg:
            text: ColumnElement[Any] = self.column[self.key].as_string()
            return text.collate("C")  # code point order, as Python compares
        return type_coerce(self.value, String)

    def equals(self, expected: Any) -> ColumnElement[bool]:
        """JSON equality as `veneer.segments.evaluate` has it (bools apart from numbers)."""
        if self.pg:
            return self.value == cast(literal(json.dumps(expected), String), JSONB)
        if isinstance(expected, bool):
            return self.kind == ("true" if expected else "false")
        if _number(expected):
            return and_(self.is_number(), type_coerce(self.value, Float) == float(expected))
        if isinstance(expected, str):
            return and_(self.is_string(), type_coerce(self.value, String) == expected)
        if expected is None:
            return self.kind == "null"
        # Lists and objects: compare the canonical JSON text SQLite keeps.
        return and_(
            self.kind == ("array" if isinstance(expected, list | tuple) else "object"),
            func.json(type_coerce(self.value, String))
            == func.json(json.dumps(expected, separators=(",", ":"))),
        )

    def has_element(self, expected: Any) -> ColumnElement[bool]:
        if self.pg:
            return self.value.op("@>")(cast(literal(json.dumps([expected]), String), JSONB))
        element = func.json_each(self.column, self.path).table_valued("type", "value")
        if isinstance(expected, bool):
            match = element.c.type == ("true" if expected else "false")
        elif _number(expected):
            match = and_(
                element.c.type.in_(("integer", "real")),
                type_coerce(element.c.value, Float) == float(expected),
            )
        elif isinstance(expected, str):
            match = and_(element.c.type == "text", type_coerce(element.c.value, String) == expected)
        else:
            return false()
        return exists(select(1).select_from(element).where(match))


def _compare(value: _Json, op: str, expected: Any) -> ColumnElement[bool]:
    if _number(expected):
        guard, actual = value.is_number(), value.number()
    elif isinstance(expected, str):
        guard, actual = value.is_string(), value.text()
    else:
        return false()
    operators = {"gt": actual > expected, "gte": actual >= expected}
    operators |= {"lt": actual < expected, "lte": actual <= expected}
    return and_(guard, operators[op])


def _trait(condition: TraitCondition, dialect: str) -> ColumnElement[bool]:
    value = _Json(dialect, profiles.c.traits, condition.trait)
    op, expected = condition.op, condition.value
    if op == "exists":
        return value.present() if expected else not_(value.present())
    if op == "eq":
        test = value.equals(expected)
    elif op == "ne":
        test = not_(value.equals(expected))
    elif op == "in":
        test = or_(false(), *(value.equals(v) for v in expected))
    elif op == "between":
        low, high = expected
        test = and_(value.is_number(), value.number() >= low, value.number() <= high)
    elif op == "contains":
        in_list = and_(value.is_array(), value.has_element(expected))
        if isinstance(expected, str):
            substring = (
                func.strpos(value.text(), expected) > 0
                if value.pg
                else func.instr(value.text(), expected) > 0
            )
            test = or_(in_list, and_(value.is_string(), substring))
        else:
            test = in_list
    else:
        test = _compare(value, op, expected)
    # `ne` holds for a missing value, and comparing with null matches JSON null: these alone
    # need presence asked for.
    if op == "ne" or (op == "eq" and expected is None) or (op == "in" and None in expected):
        return and_(value.present(), test)
    # Every other test checks the value's JSON type first, which a missing value or JSON
    # null fails (leaves are made two-valued where they are used), so asking for presence
    # again would only cost time on every profile.
    return test


def _event_field(name: str, wanted: Any, dialect: str) -> ColumnElement[bool]:
    if name == "type":
        return events.c.type == wanted if isinstance(wanted, str) else false()
    if name == "entryId":
        return events.c.entry_id == wanted if isinstance(wanted, str) else false()
    if name.startswith("properties."):
        return _Json(dialect, events.c.properties, name.split(".", 1)[1]).equals(wanted)
    return false()  # a field events do not have never matches


def _propensity(condition: PropensityCondition) -> ColumnElement[bool]:
    """The profile's stored score, looked up by its key; no score is NULL, made FALSE by
    the caller, as a missing score matches nothing live."""
    score = (
        select(scores.c.score)
        .where(scores.c.viewer_id == profiles.c.id, scores.c.event == condition.event)
        .scalar_subquery()
    )
    if isinstance(condition.value, tuple):
        low, high = condition.value
        return and_(score >= low, score <= high)
    operators = {"gt": score > condition.value, "gte": score >= condition.value}
    operators |= {"lt": score < condition.value, "lte": score <= condition.value}
    return operators[condition.op]


@dataclass(frozen=True)
class Clock:
    """``now``, and how far back a condition without ``within`` looks (as requests do)."""

    now: datetime
    unbounded: timedelta


def _event_filters(condition: EventCondition, clock: Clock, dialect: str) -> list[Any]:
    """Which events a condition counts (any viewer's): type, window, ``where``."""
    filters = [
        events.c.type == condition.event,
        events.c.timestamp <= clock.now,
        events.c.timestamp >= clock.now - (condition.within or clock.unbounded),
    ]
    for name, wanted in condition.where:
        options = wanted if isinstance(wanted, tuple) else (wanted,)
        filters.append(or_(false(), *(_event_field(name, w, dialect) for w in options)))
    return filters


def _count_holds(condition: EventCondition, counted: ColumnElement[Any]) -> ColumnElement[bool]:
    tests = {
        "eq": lambda n: counted == n,
        "gt": lambda n: counted > n,
        "gte": lambda n: counted >= n,
        "lt": lambda n: counted < n,
        "lte": lambda n: counted <= n,
    }
    return and_(*(tests[op](n) for op, n in condition.count))


def _event(condition: EventCondition, clock: Clock, dialect: str) -> ColumnElement[bool]:
    """A correlated count: right for one rule over a few profiles (previews, tests)."""
    filters = [events.c.viewer_id == profiles.c.id, *_event_filters(condition, clock, dialect)]
    counted = select(func.count()).select_from(events).where(*filters).scalar_subquery()
    return _count_holds(condition, counted)


def event_conditions(rules: Mapping[str, Rule], keys: Iterable[str]) -> list[EventCondition]:
    """Every event condition the segments ``keys`` use, references followed, each once."""
    found: dict[int, EventCondition] = {}
    seen: set[str] = set()

    def visit(node: Rule) -> None:
        if isinstance(node, All | AnyOf):
            for child in node.rules:
                visit(child)
        elif isinstance(node, Not):
            visit(node.rule)
        elif isinstance(node, EventCondition):
            found[id(node)] = node
        elif isinstance(node, SegmentRef) and node.key in rules and node.key not in seen:
            seen.add(node.key)
            visit(rules[node.key])

    for key in keys:
        seen.add(key)
        visit(rules[key])
    return list(found.values())


@dataclass(frozen=True)
class EventCounts:
    """Each condition's count per viewer, from one grouped pass over the events."""

    table: Any  # a subquery with viewer_id and one count column per condition
    columns: Mapping[int, ColumnElement[Any]]  # id(condition) -> its count column


def event_counts(
    conditions: list[EventCondition],
    clock: Clock,
    dialect: str,
    viewers: ColumnElement[bool],
) -> EventCounts | None:
    """One GROUP BY over the chosen viewers' events, instead of a subquery per condition
    per profile: what makes a backfill over millions of profiles fast."""
    if not conditions:
        return None
    sums = [
        func.sum(case((and_(*_event_filters(c, clock, dialect)), 1), else_=0)).label(f"e{i}")
        for i, c in enumerate(conditions)
    ]
    earliest = max(c.within or clock.unbounded for c in conditions)
    table = (
        select(events.c.viewer_id, *sums)
        .where(
            viewers,
            events.c.type.in_(sorted({c.event for c in conditions})),
            events.c.timestamp <= clock.now,
            events.c.timestamp >= clock.now - earliest,
        )
        .group_by(events.c.viewer_id)
        .subquery("counts")
    )
    columns = {id(c): func.coalesce(table.c[f"e{i}"], 0) for i, c in enumerate(conditions)}
    return EventCounts(table, columns)


def _strict(expression: ColumnElement[bool]) -> ColumnElement[bool]:
    """TRUE or FALSE, never NULL (a NULL inside NOT would turn a miss into a miss again)."""
    return case((expression, true()), else_=false()).cast(Boolean)


def compile_rule(
    rule: Rule,
    rules: Mapping[str, Rule],
    clock: Clock,
    dialect: str,
    counts: EventCounts | None = None,
) -> ColumnElement[bool]:
    """A boolean expression over ``profiles``; ``rules`` resolve ``segment`` references.

    With ``counts`` (joined to ``profiles`` by the caller), event conditions read their
    pre-aggregated column; without, each is a correlated count. References to unknown
    segments, or through a cycle, are false, as in the live evaluation.
    """

    cyclic = reference_cycles(rules).keys

    def visit(node: Rule) -> ColumnElement[bool]:
        if isinstance(node, All):
            return and_(*(visit(r) for r in node.rules))
        if isinstance(node, AnyOf):
            return or_(*(visit(r) for r in node.rules))
        if isinstance(node, Not):
            return not_(visit(node.rule))
        if isinstance(node, TraitCondition):
            return _strict(_trait(node, dialect))
        if isinstance(node, EventCondition):
            # Counts are never NULL, so these tests are two-valued already.
            if counts is not None and id(node) in counts.columns:
                return _count_holds(node, counts.columns[id(node)])
            return _event(node, clock, dialect)
        if isinstance(node, PropensityCondition):
            return _strict(_propensity(node))
        if node.key not in rules or node.key in cyclic:
            return false()  # every loop is made of cyclic keys, so this recursion ends
        return visit(rules[node.key])

    return visit(rule)
