"""Rules compiled to SQL decide exactly as the live evaluation does, on both databases.

A seeded generator makes varied profiles (traits of every JSON type, events in and out of
windows, some in the future, propensity scores on the edges of what rules compare) and many
rules, then compares `compile_rule` on SQLite and
PostgreSQL with `evaluate_segments` on the same data.
"""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import select, true

from tests.random_segments import NOW, UNBOUNDED, live_members, random_profiles, random_rule, seed
from veneer.segments.rules import Rule, parse_rule
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.segment_sql import (
    Clock,
    compile_rule,
    event_conditions,
    event_counts,
    profiles,
)


async def _sql_members(url: str, rule: Rule, saved: dict[str, Rule]) -> tuple[set[str], set[str]]:
    """Members by correlated counts, and by one grouped pass over the events (backfill's)."""
    db = Database(Settings(database_url=url).database_url)
    clock = Clock(NOW, UNBOUNDED)
    try:
        async with db.session() as session:
            dialect = session.get_bind().dialect.name
            condition = compile_rule(rule, saved, clock, dialect)
            correlated = set(await session.scalars(select(profiles.c.id).where(condition)))
            everyone = {**saved, "candidate": rule}
            wanted = event_conditions(everyone, ["candidate"])
            counts = event_counts(wanted, clock, dialect, true())
            source = profiles
            if counts is not None:
                joined = counts.table.c.viewer_id == profiles.c.id
                source = profiles.outerjoin(counts.table, joined)
            grouped_rule = compile_rule(rule, saved, clock, dialect, counts)
            grouped = set(
                await session.scalars(select(profiles.c.id).select_from(source).where(grouped_rule))
            )
            return correlated, grouped
    finally:
        await db.dispose()


def test_sql_and_live_evaluation_agree(database_url: str) -> None:
    rng = random.Random(20261127)
    made = random_profiles(rng)
    asyncio.run(seed(database_url, made))
    saved = {f"s{i}": parse_rule(random_rule(rng)) for i in range(4)}
    saved["loop-a"] = parse_rule({"segment": "loop-b"})
    saved["loop-b"] = parse_rule(
        {"any": [{"segment": "loop-a"}, {"trait": "vip", "op": "eq", "value": True}]}
    )
    refs = tuple(saved)
    disagreements = []
    matched_somewhere = scored_split = 0
    for n in range(160):
        raw = random_rule(rng, refs=refs)
        rule = parse_rule(raw)
        live = live_members({**saved, "candidate": rule}, made)["candidate"]
        correlated, grouped = asyncio.run(_sql_members(database_url, rule, saved))
        matched_somewhere += 0 < len(live) < len(made)
        scored_split += "propensity" in str(raw) and 0 < len(live) < len(made)
        if not live == correlated == grouped:
            disagreements.append(
                (n, raw, sorted(live ^ correlated)[:5], sorted(live ^ grouped)[:5])
            )
    assert not disagreements, disagreements[:3]
    assert matched_somewhere > 40, "the rules must split the profiles, or agreement proves little"
    assert scored_split > 10, "propensity conditions must be among the rules that split them"
