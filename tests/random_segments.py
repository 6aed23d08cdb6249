"""Random profiles and rules for checking stored and compiled segments against the live ones.

A seeded generator makes varied profiles (traits of every JSON type, events in and out of
windows, some in the future, stored propensity scores or none) and rules over them (traits,
event windows, ``where`` filters, propensity comparisons, combinators, references).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from veneer.segments.evaluate import ViewerEvent, ViewerFacts, evaluate_segments
from veneer.segments.rules import Rule
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.models import EventRow, ProfileRow, PropensityScoreRow

# (profile id, traits, events, propensity scores by event)
Made = list[tuple[str, dict[str, Any], list[ViewerEvent], dict[str, float]]]

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
UNBOUNDED = timedelta(days=90)
TRAIT_VALUES: dict[str, list[Any]] = {
    "age": [25, 31, 31.0, 45, 62, "31", True, None],
    "city": ["Lyon", "lyon", "Berlin", "Zürich", "Ålesund", "", 3],
    "interests": [["camping"], ["camping", "climbing"], [], ["Camping"], "camping trips", [1]],
    "vip": [True, False, 1, 0, "true"],
    "score": [0.5, 1.5, 2, -3, 10**12],
    "address": [{"zip": "69001"}, {"zip": 69001}, None],
}
EVENT_TYPES = ["view", "purchase", "cart_add"]
CATEGORIES = ["tents", "shoes", "stoves"]
SCORED_EVENTS = ["purchase", "signup"]
SCORES = [0.0, 0.2, 0.5, 0.7, 1.0]  # the values rules compare with, to test the edges


def _scores(n: int) -> dict[str, float]:
    """A profile's scores, from a generator of its own so the rules drawn stay as they were."""
    own = random.Random(f"scores-{n}")
    return {
        event: own.choice([*SCORES, own.random()]) for event in SCORED_EVENTS if own.random() < 0.6
    }


def random_profiles(rng: random.Random) -> Made:
    made = []
    for n in range(70):
        traits = {
            name: rng.choice(values) for name, values in TRAIT_VALUES.items() if rng.random() < 0.75
        }
        events = [
            ViewerEvent(
                type=rng.choice(EVENT_TYPES),
                timestamp=NOW - timedelta(hours=rng.uniform(-30, 24 * 120)),
                entry_id=rng.choice(["tent-x2", "cinder", None]),
                properties={
                    k: v
                    for k, v in {
                        "category": rng.choice(CATEGORIES),
                        "price": rng.choice([10, 99.5, "10"]),
                    }.items()
                    if rng.random() < 0.8
                },
            )
            for _ in range(rng.randrange(0, 9))
        ]
        made.append((f"a:p{n:03d}", traits, events, _scores(n)))
    return made


def _trait_rule(rng: random.Random) -> dict[str, Any]:
    trait = rng.choice([*TRAIT_VALUES, "missing"])
    op = rng.choice(["eq", "ne", "in", "gt", "gte", "lt", "lte", "between", "exists", "contains"])
    pool = [v for values in TRAIT_VALUES.values() for v in values if v is not None]
    if op == "exists":
        return {"trait": trait, "op": op, "value": rng.choice([True, False])}
    if op == "in":
        return {"trait": trait, "op": op, "value": rng.sample(pool, 3)}
    if op == "between":
        low = rng.choice([0, 20, 30.5])
        return {"trait": trait, "op": op, "value": [low, low + rng.choice([5, 20, 100])]}
    if op in ("gt", "gte", "lt", "lte"):
        return {"trait": trait, "op": op, "value": rng.choice([30, 31, 1.5, "M", "lyon", "Z"])}
    if op == "contains":
        return {"trait": trait, "op": op, "value": rng.choice(["camping", "amp", "Lyon", 1, True])}
    return {"trait": trait, "op": op, "value": rng.choice(pool)}


def _event_rule(rng: random.Random) -> dict[str, Any]:
    rule: dict[str, Any] = {"event": rng.choice(EVENT_TYPES)}
    if rng.random() < 0.6:
        rule["within"] = rng.choice(["30m", "48h", "7d", "30d"])
    if rng.random() < 0.5:
        rule["where"] = rng.choice(
            [
                {"properties.category": rng.choice(CATEGORIES)},
                {"properties.category": CATEGORIES[:2]},
                {"entryId": "tent-x2"},
                {"properties.price": 10},
                {"properties.price": "10"},
                {"unknownField": 1},
            ]
        )
    if rng.random() < 0.7:
        op = rng.choice(["eq", "gt", "gte", "lt", "lte"])
        rule["count"] = {op: rng.randrange(0, 4)}
    return rule


def _propensity_rule(rng: random.Random) -> dict[str, Any]:
    rule: dict[str, Any] = {"propensity": rng.choice([*SCORED_EVENTS, "refund"])}
    rule["op"] = rng.choice(["gt", "gte", "lt", "lte", "between"])
    if rule["op"] == "between":
        rule["value"] = sorted(rng.sample(SCORES, 2))
    else:
        rule["value"] = rng.choice(SCORES)
    return rule


def random_rule(rng: random.Random, depth: int = 0, refs: tuple[str, ...] = ()) -> dict[str, Any]:
    roll = rng.random()
    if depth < 2 and roll < 0.3:
        kind = rng.choice(["all", "any"])
        return {kind: [random_rule(rng, depth + 1, refs) for _ in range(rng.randrange(1, 4))]}
    if depth < 2 and roll < 0.4:
        return {"not": random_rule(rng, depth + 1, refs)}
    if refs and roll < 0.5:
        return {"segment": rng.choice([*refs, "nobody-saved-this"])}
    leaf = rng.random()
    if leaf < 0.15:
        return _propensity_rule(rng)
    return _trait_rule(rng) if leaf < 0.6 else _event_rule(rng)


async def seed(url: str, made: Made) -> None:
    db = Database(Settings(database_url=url).database_url)
    try:
        async with db.session() as session:
            for profile_id, traits, viewer_events, scores in made:
                session.add(ProfileRow(id=profile_id, anonymous_id=profile_id[2:], traits=traits))
                for event, score in scores.items():
                    session.add(
                        PropensityScoreRow(
                            viewer_id=profile_id,
                            event=event,
                            score=score,
                            version=1,
                            updated_at=NOW,
                        )
                    )
                for i, event in enumerate(viewer_events):
                    session.add(
                        EventRow(
                            id=f"{profile_id}-{i}",
                            viewer_id=profile_id,
                            anonymous_id=profile_id[2:],
                            type=event.type,
                            timestamp=event.timestamp,
                            received_at=NOW,
                            entry_id=event.entry_id,
                            properties=dict(event.properties),
                        )
                    )
    finally:
        await db.dispose()


def live_members(rules: Mapping[str, Rule], made: Made, now: datetime = NOW) -> dict[str, set[str]]:
    """Each rule's members as requests decide them (events within the unbounded lookback)."""
    found: dict[str, set[str]] = {key: set() for key in rules}
    for profile_id, traits, viewer_events, scores in made:
        recent = [e for e in viewer_events if e.timestamp >= now - UNBOUNDED]
        for key in evaluate_segments(rules, ViewerFacts(traits, recent, scores), now):
            found[key].add(profile_id)
    return found
