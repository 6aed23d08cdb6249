"""What a propensity model looks at: the behaviour clustering measures, plus the last week.

Counts of each funnel event over the window, the same counts over the last seven days (a
shopper who added to cart yesterday is not one who did a month ago), and how the viewer
visits: sessions, their length and depth, and days since last seen. Traits are left out:
they describe who a viewer is, and the model is meant to read what they do.
"""

from __future__ import annotations

from datetime import timedelta

from veneer.segments.behaviour import Feature
from veneer.segments.rules import parse_window

EVENTS = (
    "page_view",
    "entry_view",
    "search",
    "add_to_cart",
    "remove_from_cart",
    "cart_abandoned",
    "purchase",
)
RECENT_EVENTS = ("entry_view", "add_to_cart", "purchase")
RECENT = "7d"


def propensity_features(window: str) -> list[Feature]:
    """The features over ``window`` (``30d``), and the recent counts when it is longer."""
    features = [Feature.events(event, window) for event in EVENTS]
    if parse_window(window) > timedelta(days=7):
        features += [Feature.events(event, RECENT) for event in RECENT_EVENTS]
    return features + Feature.visits(window, EVENTS)
