"""Filling a placement for the viewer: the same block for GraphQL, REST and email.

Each strategy picks entries with what already decides them elsewhere, so a block obeys the
same consent as the rest of the API: variants need PERSONALIZATION (`Context.choice`),
personal recommendations need RECOMMENDATIONS (`recommend_for`), offers need PERSONALIZATION
(`serve_offers`). Without it, a viewer gets the baseline, the popular entries, no offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from veneer.content_adapters import ContentError
from veneer.entries import Entry
from veneer.graphql.context import Context
from veneer.graphql.recommendations.serving import recommend_for
from veneer.jobs.offers import serve_offers
from veneer.placements.blocks import Block, BlockItem, block_reason, personalized_first
from veneer.placements.definition import Placement
from veneer.recommend.candidates import Candidate
from veneer.variants.choice import merged_fields
from veneer.variants.coverage import OFFER_STRATEGY, Reason

CANDIDATES = 50  # entries of the listed content types a `variant` placement considers


class UnknownPlacement(LookupError):
    def __init__(self, key: str, known: Sequence[str]):
        listing = ", ".join(sorted(known)) or "none yet: add one with upsertPlacement"
        super().__init__(f"no placement {key!r}; known: {listing}")


async def find_placement(context: Context, key: str) -> Placement:
    placements = await context.services.placements()
    found = placements.get(key)
    if found is None:
        raise UnknownPlacement(key, list(placements))
    return found


def _item(context: Context, entry: Entry, picked: Candidate | None = None) -> BlockItem:
    choice = context.choice(entry)
    reason, strategy = choice.reason, None
    if picked is not None:
        strategy = picked.strategy
        reason = picked.reason_with(choice.reason, choice.baseline)
    return BlockItem(
        entry=entry,
        fields=merged_fields(entry, choice),
        variant_id=choice.variant.id if choice.variant else None,
        baseline=choice.baseline,
        reason=reason,
        strategy=strategy,
        picked=picked,
    )


async def _listed(context: Context, placement: Placement) -> list[Entry]:
    """The placement's entries in the team's order (those still in the CMS), then entries
    of its content types."""
    content = context.services.content
    found = [await content.get_entry(entry_id) for entry_id in placement.entries]
    entries = [e for e in found if e is not None]
    for content_type in placement.content_types:
        page = await content.list_entries(content_type, CANDIDATES, None, None)
        entries.extend(e for e in page.entries if e.id not in placement.entries)
    return entries


async def build_block(context: Context, placement: Placement) -> Block | None:
    """What ``placement`` shows the viewer now; None when it has nothing for them.

    Raises `ContentError` when the CMS does not answer, for the edge to report.
    """
    await context.viewer_state()
    offer_key = None
    params: dict[str, Any] = {}
    if placement.strategy == "recommendations":
        picked = await recommend_for(
            context, None, placement.first, placement.content_types or None, ()
        )
        items = [_item(context, entry, why) for entry, why in picked]
    elif placement.strategy == "offer":
        items, offer_key, params = await _offer_items(context, placement)
    else:
        listed = [_item(context, entry) for entry in await _listed(context, placement)]
        if placement.strategy == "variant":
            items = personalized_first(listed, placement.first)
        else:
            items = listed[: placement.first]
    if not items:
        return None
    _count(context, items)
    return Block(
        placement=placement,
        reason=block_reason(placement, items, offer_key),
        items=tuple(items),
        params=params,
        offer=offer_key,
    )


def _count(context: Context, items: list[BlockItem]) -> None:
    """The items the block shows, for coverage; not the candidates it passed over."""
    for item in items:
        if item.inline:
            context.count(Reason.OFFER, strategy=item.strategy)
        else:
            context.shown(item.entry, item.strategy)


async def _offer_items(
    context: Context, placement: Placement
) -> tuple[list[BlockItem], str | None, dict[str, Any]]:
    """The viewer's offer for this placement (recorded as served, counting towards its
    caps), else the placement's own entries, if it lists any."""
    state = await context.viewer_state()
    viewer = context.principal.viewer
    offers = []
    if viewer is not None:
        offers = await serve_offers(context.services, viewer, state, placement.key)
    for offer in offers:
        if offer.entry is not None:
            entry = await context.services.content.get_entry(offer.entry)
            if entry is None:
                continue
            item = replace(
                _item(context, entry), reason=offer.reason, strategy=OFFER_STRATEGY + offer.trigger
            )
        elif offer.content is not None:
            item = BlockItem(
                entry=Entry(id=offer.trigger, content_type="offer", slug=None, fields={}),
                fields=dict(offer.content),
                variant_id=None,
                baseline=True,
                reason=offer.reason,
                strategy=OFFER_STRATEGY + offer.trigger,
                inline=True,
            )
        else:
            continue
        return [item], offer.trigger, dict(offer.params)
    listed = [_item(context, entry) for entry in await _listed(context, placement)]
    return listed[: placement.first], None, {}


__all__ = ["ContentError", "UnknownPlacement", "build_block", "find_placement"]
