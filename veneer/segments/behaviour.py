"""Behavioural features of a profile, for clustering: what a viewer does, not who they are.

A feature is one number per profile, measured over a window of its events: how often it
does something (events of a type), how it visits (sessions, their length, pages per
session), how recently it was seen, what it is drawn to (views of entries carrying a tag),
or a numeric trait. Sessions are split at 30 minutes without an event, the convention of
web analytics.

Where a feature can be said in the segment rule language (counts, recency, tag views,
traits), it also knows how to say "between these two values" as rule conditions, so a
cluster's decision tree becomes a rule an editor can adopt. Session shape cannot be said
in rules; those features shape the clusters and their names, not the rules.
Pure: events in, numbers and rule JSON out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from veneer.segments.evaluate import ViewerEvent
from veneer.segments.rules import parse_window

SESSION_GAP = timedelta(minutes=30)
PAGE_EVENTS = ("page_view", "entry_view")
TAG_EVENT = "entry_view"
EVENT_WORDS = {  # the standard event types, as a report reads them
    "page_view": "page views",
    "entry_view": "entry views",
    "click": "clicks",
    "search": "searches",
    "add_to_cart": "cart adds",
    "remove_from_cart": "cart removals",
    "cart_abandoned": "abandoned carts",
    "signup": "signups",
}

Kind = Literal[
    "count", "trait", "sessions", "session_minutes", "pages_per_session", "days_since_seen", "tag"
]


@dataclass(frozen=True)
class Feature:
    """One column of the clustering, named in the report's and the editor's words."""

    name: str
    kind: Kind
    within: str = "30d"
    event: str | None = None  # count: which events
    trait: str | None = None  # trait: which numeric trait
    tag: str | None = None  # tag: views of entries carrying it ...
    entry_ids: tuple[str, ...] = ()  # ... which are these (kept for the rule and later)
    seen: tuple[str, ...] = ()  # days_since_seen: the events that count as being seen

    @classmethod
    def events(cls, event: str, within: str = "30d") -> Feature:
        return cls(f"{event} in {within}", "count", within, event=event)

    @classmethod
    def numeric_trait(cls, trait: str) -> Feature:
        return cls(trait, "trait", trait=trait)

    @classmethod
    def visits(cls, within: str, seen: Sequence[str]) -> list[Feature]:
        """Sessions, their length, their depth, and days since last seen."""
        return [
            cls(f"sessions in {within}", "sessions", within),
            cls(f"minutes per session in {within}", "session_minutes", within),
            cls(f"pages per session in {within}", "pages_per_session", within),
            cls("days since last seen", "days_since_seen", within, seen=tuple(sorted(seen))),
        ]

    @classmethod
    def tag_views(cls, tag: str, entry_ids: Sequence[str], within: str = "30d") -> Feature:
        ids = tuple(sorted(entry_ids))
        return cls(f"views of {tag} in {within}", "tag", within, tag=tag, entry_ids=ids)

    @property
    def in_rules(self) -> bool:
        """Whether the rule language can say this feature (and a tree may split on it)."""
        if self.kind == "tag":
            return bool(self.entry_ids)
        if self.kind == "days_since_seen":
            return bool(self.seen)
        return self.kind in ("count", "trait")

    def words(self, high: bool) -> str | None:
        """How a cluster far above (``high``) or below the average on this feature reads."""
        match self.kind:
            case "count" if self.event == "purchase":
                return "frequent buyers" if high else "rare buyers"
            case "count":
                said = EVENT_WORDS.get(self.event or "", f"{self.event} events")
                return f"{'many' if high else 'few'} {said}"
            case "sessions":
                return "frequent visitors" if high else "occasional visitors"
            case "session_minutes":
                return "long sessions" if high else "short sessions"
            case "pages_per_session":
                return "deep visits" if high else "shallow visits"
            case "days_since_seen":
                return "lapsed" if high else "recently active"
            case "tag":
                return f"{self.tag} affinity" if high else None  # "no affinity" says little
        return f"{'high' if high else 'low'} {self.name}"

    def between(self, low: float | None, high: float | None) -> list[dict[str, Any]]:
        """``low < value <= high`` (either end open) as rule conditions."""
        if self.kind in ("count", "tag"):
            count: dict[str, int] = {}
            if low is not None:
                count["gte"] = math.floor(low) + 1  # counts are whole: > 2.5 means >= 3
            if high is not None:
                count["lte"] = math.floor(high)
            if count.get("gte") == count.get("lte"):
                count = {"eq": count["gte"]}
            return [{**self._counted(), "count": count}]
        if self.kind == "days_since_seen":
            # More than ``low`` days since last seen: nothing within ``low`` days.
            conditions: list[dict[str, Any]] = []
            if low is not None:
                conditions.append({"not": self._seen_within(low)})
            if high is not None:
                conditions.append(self._seen_within(high))
            return conditions
        found = []
        if low is not None:
            found.append({"trait": self.trait, "op": "gt", "value": round(float(low), 4)})
        if high is not None:
            found.append({"trait": self.trait, "op": "lte", "value": round(float(high), 4)})
        return found

    def _counted(self) -> dict[str, Any]:
        if self.kind == "tag":
            where = {"entryId": list(self.entry_ids)}
            return {"event": TAG_EVENT, "where": where, "within": self.within}
        return {"event": self.event, "within": self.within}

    def _seen_within(self, days: float) -> dict[str, Any]:
        hours = max(1, math.floor(days * 24))
        seen = [{"event": e, "within": f"{hours}h"} for e in self.seen]
        return seen[0] if len(seen) == 1 else {"any": seen}

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"name": self.name, "kind": self.kind, "within": self.within}
        for key in ("event", "trait", "tag"):
            if getattr(self, key) is not None:
                found[key] = getattr(self, key)
        if self.entry_ids:
            found["entryIds"] = list(self.entry_ids)
        if self.seen:
            found["seen"] = list(self.seen)
        return found

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Feature:
        return cls(
            data["name"],
            data["kind"],
            data.get("within", "30d"),
            data.get("event"),
            data.get("trait"),
            data.get("tag"),
            tuple(data.get("entryIds", ())),
            tuple(data.get("seen", ())),
        )


def events_read(features: Sequence[Feature]) -> set[str] | None:
    """The event types the features read; None when sessions need every event."""
    wanted: set[str] = set()
    for feature in features:
        if feature.kind in ("sessions", "session_minutes", "pages_per_session"):
            return None
        if feature.kind == "days_since_seen":
            if not feature.seen:
                return None
            wanted |= set(feature.seen)
        elif feature.kind == "count" and feature.event:
            wanted.add(feature.event)
        elif feature.kind == "tag":
            wanted.add(TAG_EVENT)
    return wanted


def _sessions(events: Sequence[ViewerEvent]) -> list[list[ViewerEvent]]:
    sessions: list[list[ViewerEvent]] = []
    for event in events:
        if sessions and event.timestamp - sessions[-1][-1].timestamp <= SESSION_GAP:
            sessions[-1].append(event)
        else:
            sessions.append([event])
    return sessions


def _minutes(session: Sequence[ViewerEvent]) -> float:
    """First to last event, or the reading time the page reported, whichever is longer."""
    span = (session[-1].timestamp - session[0].timestamp).total_seconds()
    reported = 0.0
    for event in session:
        seconds = event.properties.get("seconds") if event.type == "time_on_page" else None
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
            reported += float(seconds)
    return max(span, reported) / 60


def measure(
    events: Sequence[ViewerEvent],
    features: Sequence[Feature],
    now: datetime,
    traits: Mapping[str, Any] | None = None,
) -> list[float]:
    """One profile's value of each feature, from its events (any order) and traits."""
    ordered = sorted((e for e in events if e.timestamp <= now), key=lambda e: e.timestamp)
    values = []
    for feature in features:
        if feature.kind == "trait":
            value = (traits or {}).get(feature.trait or "")
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.append(float(value))
            else:
                values.append(0.0)
            continue
        window = parse_window(feature.within)
        recent = [e for e in ordered if e.timestamp >= now - window]
        values.append(_measure(feature, recent, now, window))
    return values


def _measure(
    feature: Feature, recent: Sequence[ViewerEvent], now: datetime, window: timedelta
) -> float:
    if feature.kind == "count":
        return float(sum(1 for e in recent if e.type == feature.event))
    if feature.kind == "tag":
        tagged = set(feature.entry_ids)
        return float(sum(1 for e in recent if e.type == TAG_EVENT and e.entry_id in tagged))
    if feature.kind == "days_since_seen":
        seen = [e for e in recent if not feature.seen or e.type in feature.seen]
        last = seen[-1].timestamp if seen else now - window  # unseen: the whole window
        return (now - last).total_seconds() / 86_400
    sessions = _sessions(recent)
    if not sessions:
        return 0.0
    if feature.kind == "sessions":
        return float(len(sessions))
    if feature.kind == "session_minutes":
        return sum(_minutes(s) for s in sessions) / len(sessions)
    if feature.kind == "pages_per_session":
        return sum(1 for e in recent if e.type in PAGE_EVENTS) / len(sessions)
    raise ValueError(f"unknown feature kind {feature.kind!r}")
