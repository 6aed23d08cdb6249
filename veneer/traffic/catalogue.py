"""What simulated visitors can look at and buy: the shop's real entries, reduced to a few facts.

The simulation reads entries from the configured content source rather than a list of its
own, so every ``entryId`` it sends is one Veneer serves, and tag affinities, clustering's
tag features and event rules over entries all meet the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from veneer.entries import Entry


@dataclass(frozen=True)
class Item:
    id: str
    content_type: str
    slug: str
    tags: tuple[str, ...]
    price: float | None  # None: not for sale (an article)
    currency: str | None


def catalogue(entries: Iterable[Entry]) -> list[Item]:
    """Entries as items, in id order so the same content gives the same simulation."""
    items = []
    for entry in entries:
        tags = entry.fields.get("tags")
        price = entry.fields.get("price")
        currency = entry.fields.get("currency")
        for_sale = isinstance(price, int | float) and price > 0 and isinstance(currency, str)
        items.append(
            Item(
                id=entry.id,
                content_type=entry.content_type,
                slug=entry.slug or entry.id,
                tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
                price=float(price) if for_sale and isinstance(price, int | float) else None,
                currency=str(currency) if for_sale else None,
            )
        )
    return sorted(items, key=lambda item: item.id)
