"""Entries a viewer keeps being shown and keeps passing over.

A recommendation shown again and again without a click is one the viewer has seen and
declined; showing it a fourth time spends a slot the next candidate could use. What counts
is impressions since the viewer last engaged with the entry (viewed it, clicked it, added
it to the cart), so an entry the viewer does take up starts counting again from zero.
"""

from __future__ import annotations

from collections.abc import Iterable

IMPRESSION = "impression"  # the event type a client sends when it displays an entry


def passed_over(newest_first: Iterable[tuple[str, str]], times: int) -> frozenset[str]:
    """Entries shown ``times`` or more since the viewer last engaged with them.

    ``newest_first`` holds (entry id, event type) pairs: impressions and engagements of
    any other type, newest first. ``times`` of 0 turns the rule off.
    """
    if times <= 0:
        return frozenset()
    shown: dict[str, int] = {}
    engaged: set[str] = set()
    for entry_id, kind in newest_first:
        if entry_id in engaged:
            continue  # older events of an entry the viewer has engaged with since
        if kind == IMPRESSION:
            shown[entry_id] = shown.get(entry_id, 0) + 1
        else:
            engaged.add(entry_id)
    return frozenset(entry for entry, count in shown.items() if count >= times)
