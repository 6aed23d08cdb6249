"""Training: every candidate fitted on a synthetic set of 1M interactions, with the memory check.

The set is shaped like MovieLens 1M (6,040 users, 3,706 items, 1M interactions) with planted
taste groups and a long tail of popularity. Each candidate is fitted once, on 2 threads where
it has any, and timed; a candidate whose memory estimate passes the budget is skipped and
named, as the evaluation would. ``--items 50000`` shows what a large catalogue leaves out.
The baseline is ItemPop's fit, one count of every interaction, in the same run.
Run: ``python -m bench.recs_training [--interactions 1000000] [--items 3706] [--json]``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import orjson

from veneer.recommend.models.evaluation import DEFAULT_BUDGET, affordable
from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.recipe import Scorer
from veneer.recommend.models.recipes import default_candidates


def synthetic(
    users: int, items: int, interactions: int, groups: int = 20, seed: int = 0
) -> Interactions:
    """Each user draws 70% of their items from their group's shelf and the rest from the
    whole catalogue, both with a long-tailed popularity, at random timestamps; draws repeat
    until there are exactly ``interactions`` distinct (user, item) pairs."""
    rng = np.random.default_rng(seed)
    shelf = items // groups

    def tail(n: int) -> np.ndarray:
        weights = 1.0 / (np.arange(n) + 10.0) ** 0.9
        return weights / weights.sum()

    on_shelf, anywhere = tail(shelf), tail(items)
    pairs = np.empty(0, dtype=np.int64)
    while len(pairs) < interactions:
        draws = interactions - len(pairs) + interactions // 10
        user = rng.integers(0, users, draws)
        local = (user % groups) * shelf + rng.choice(shelf, draws, p=on_shelf)
        item = np.where(rng.random(draws) < 0.7, local, rng.choice(items, draws, p=anywhere))
        pairs = np.unique(np.concatenate([pairs, user * items + item]))
    pairs = rng.permutation(pairs)[:interactions]
    return Interactions(
        users=(pairs // items).astype(np.int64),
        items=(pairs % items).astype(np.int64),
        timestamps=rng.random(len(pairs)) * 1e6,
        user_ids=tuple(str(n) for n in range(users)),
        item_ids=tuple(str(n) for n in range(items)),
    )


def measure(users: int, items: int, interactions: int, budget: int) -> dict[str, Any]:
    data = synthetic(users, items, interactions)
    fitted: dict[str, Scorer] = {}
    seconds: dict[str, float] = {}
    skipped: dict[str, str] = {}
    for candidate in default_candidates(seed=42, threads=2):
        reason = affordable(candidate, data.n_users, data.n_items, budget)
        parts = getattr(candidate, "parts", ())
        if reason is None and any(part not in fitted for part in parts):
            reason = "a part was skipped"
        if reason is not None:
            skipped[candidate.name] = reason
            continue
        started = time.perf_counter()
        fitted[candidate.name] = candidate.fit(data, fitted)
        seconds[candidate.name] = time.perf_counter() - started + sum(seconds[p] for p in parts)
    baseline = seconds["ItemPop"]
    return {
        "users": data.n_users,
        "items": data.n_items,
        "interactions": len(data),
        "fit_s": {name: round(s, 3) for name, s in seconds.items()},
        "ratio_to_itempop": {name: round(s / baseline, 1) for name, s in seconds.items()},
        "skipped": skipped,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=6_040)
    parser.add_argument("--items", type=int, default=3_706)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--budget-gib", type=float, default=DEFAULT_BUDGET / 2**30)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = measure(args.users, args.items, args.interactions, int(args.budget_gib * 2**30))
    if args.json:
        print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
        return
    print(
        f"{result['interactions']:,} interactions, {result['users']:,} users, "
        f"{result['items']:,} items"
    )
    print(f"{'model':<24} {'fit s':>8} {'x ItemPop':>10}")
    for name, seconds in result["fit_s"].items():
        print(f"{name:<24} {seconds:>8.2f} {result['ratio_to_itempop'][name]:>10.1f}")
    for name, reason in result["skipped"].items():
        print(f"{name:<24} skipped: {reason}")


if __name__ == "__main__":
    main()
