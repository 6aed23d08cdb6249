"""Synthetic shoppers with a planted pattern: those about to buy add to cart and came lately.

Each shopper is keen or not (every third one is keen), the same whatever ``until`` their
history is laid out to. Keen ones add to cart about four times in
the month and were last here within two days; the others rarely add to cart and were last
here any time in the month. Keen ones buy within the next week seven times in ten, the others
once in twenty: a model that reads behaviour should rank the keen far above the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from veneer.segments.evaluate import ViewerEvent


@dataclass(frozen=True)
class Shopper:
    id: str
    keen: bool
    before: list[ViewerEvent]  # the month up to ``until``
    bought: bool  # a purchase in the horizon after it


def shoppers(count: int, until: datetime, seed: int = 7) -> list[Shopper]:
    rng = np.random.default_rng(seed)
    made = []
    for n in range(count):
        keen = n % 3 == 1
        last = float(rng.uniform(0, 2)) if keen else float(rng.uniform(0, 28))
        carts = int(rng.poisson(4.0 if keen else 0.5))
        views = int(rng.poisson(8)) + 1
        times = [last] + [float(rng.uniform(last, 29)) for _ in range(views + carts - 1)]
        kinds = ["entry_view"] * views + ["add_to_cart"] * carts
        rng.shuffle(kinds)
        events = [
            ViewerEvent(kind, until - timedelta(days=days), "tent-x2")
            for kind, days in zip(kinds, times, strict=True)
        ]
        bought = bool(rng.random() < (0.7 if keen else 0.05))
        made.append(Shopper(f"anon:s{n:04d}", keen, events, bought))
    return made
