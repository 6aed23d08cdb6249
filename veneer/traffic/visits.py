"""One visit to the shop: pages read, time on each, searches, cart adds, and how it ends.

A visit is a session as clustering measures it: its events are never 30 minutes apart, so
pages per session and minutes per session come out as the persona intends. The funnel is
view -> add_to_cart -> purchase, or cart_abandoned when the visitor leaves with a full cart.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from veneer.traffic.catalogue import Item
from veneer.traffic.personas import Persona

SHOP = "https://shop.example"
MAX_SECONDS_ON_PAGE = 1500.0  # with the pause before the next page, under the 30-minute gap
REFERRERS = ("https://www.google.com/", "https://www.instagram.com/", "", f"{SHOP}/newsletter")


@dataclass(frozen=True)
class Step:
    """One event of a visit, before it is given an id and a viewer."""

    at: datetime
    type: str
    entry_id: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Visit:
    steps: list[Step]
    end: datetime
    spent: dict[str, float]  # what was bought, by currency


@dataclass(frozen=True)
class Taste:
    """One visitor's own rates, drawn around their persona's."""

    pages: float
    seconds: float
    cart_rate: float
    purchase_rate: float
    search_rate: float

    @classmethod
    def draw(cls, rng: random.Random, persona: Persona) -> Taste:
        def around(mean: float, spread: float = 0.2) -> float:
            return mean * rng.lognormvariate(0.0, spread)

        return cls(
            pages=around(persona.pages_per_session),
            seconds=around(persona.seconds_per_page),
            cart_rate=min(0.9, around(persona.cart_rate)),
            purchase_rate=min(0.95, around(persona.purchase_rate)),
            search_rate=min(0.95, around(persona.search_rate)),
        )


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: the means here are small."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _url(item: Item) -> str:
    return f"{SHOP}/{item.content_type}s/{item.slug}"


def _pick(rng: random.Random, items: Sequence[Item], persona: Persona) -> Item:
    """Tags draw the persona; every entry keeps a little weight, as browsing wanders."""
    weights = [0.15 + sum(persona.tags.get(tag, 0.0) for tag in item.tags) for item in items]
    return rng.choices(items, weights=weights)[0]


def visit(
    rng: random.Random,
    persona: Persona,
    taste: Taste,
    catalogue: Sequence[Item],
    start: datetime,
    until: datetime,
) -> Visit:
    """The visit starting at ``start``; anything that would happen after ``until`` does not."""
    products = [item for item in catalogue if item.price is not None]
    articles = [item for item in catalogue if item.price is None]
    pages = max(1, poisson(rng, taste.pages))
    search_before = rng.randrange(pages) if rng.random() < taste.search_rate else -1
    steps: list[Step] = []
    cart: list[Item] = []
    at, referrer = start, rng.choice(REFERRERS)
    for page in range(pages):
        if page == search_before:
            steps.append(Step(at, "search", properties={"query": rng.choice(persona.searches)}))
            at += timedelta(seconds=rng.uniform(3, 12))
        choose_product = bool(products) and (not articles or rng.random() < persona.product_share)
        item = _pick(rng, products if choose_product else articles, persona)
        context = {"url": _url(item), "referrer": referrer}
        steps.append(Step(at, "page_view", context=context))
        steps.append(Step(at + timedelta(seconds=1), "entry_view", item.id, context=context))
        seconds = min(
            MAX_SECONDS_ON_PAGE, max(3.0, rng.lognormvariate(math.log(taste.seconds), 0.6))
        )
        if item.price is not None and rng.random() < taste.cart_rate:
            steps.append(
                Step(
                    at + timedelta(seconds=seconds * 0.7),
                    "add_to_cart",
                    item.id,
                    {"quantity": 1, "value": item.price, "currency": item.currency},
                    context,
                )
            )
            cart.append(item)
        steps.append(
            Step(
                at + timedelta(seconds=seconds),
                "time_on_page",
                item.id,
                {"seconds": round(seconds)},
            )
        )
        at += timedelta(seconds=seconds + rng.uniform(2, 15))
        referrer = context["url"]
    end = steps[-1].at
    buys = rng.random() < taste.purchase_rate
    for currency in sorted({item.currency for item in cart if item.currency}):
        items = [item for item in cart if item.currency == currency]
        value = round(sum(item.price or 0.0 for item in items), 2)
        details = {"value": value, "currency": currency, "items": [item.id for item in items]}
        if buys:
            end += timedelta(seconds=rng.uniform(30, 180))  # checking out
            steps.append(Step(end, "purchase", properties=details))
        else:
            steps.append(Step(end + timedelta(seconds=5), "cart_abandoned", properties=details))
    kept = [step for step in steps if step.at <= until]
    spent: dict[str, float] = {}
    for step in kept:
        if step.type == "purchase":
            currency = str(step.properties["currency"])
            spent[currency] = spent.get(currency, 0.0) + float(step.properties["value"])
    return Visit(kept, steps[-1].at, spent)
