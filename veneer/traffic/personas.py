"""Who visits the demo shop: a handful of kinds of shopper, and how visitors answer the banner.

The personas differ where Veneer's features can see it: the traits the demo segments read
(interests, experience, region, lifetimeValue), how often and how deeply they visit, which
tags draw them, and how far down the funnel they go. Each visitor draws their own numbers
around their persona's, so no two campers behave exactly alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from veneer.consent import Purpose

COLD = {"nordics": 3.0, "alps": 2.0, "canada": 1.0}
MILD = {"benelux": 3.0, "uk": 3.0, "iberia": 1.5, "us-west": 1.5}


def _regions(cold: float) -> dict[str, float]:
    """Region weights with ``cold`` of them in the cold-climate regions."""
    cold_total, mild_total = sum(COLD.values()), sum(MILD.values())
    return {
        **{k: cold * v / cold_total for k, v in COLD.items()},
        **{k: (1 - cold) * v / mild_total for k, v in MILD.items()},
    }


@dataclass(frozen=True)
class Persona:
    """How one kind of shopper behaves. Rates are means; each visitor draws around them."""

    key: str
    share: float  # of visitors
    interests: tuple[str, ...]  # the `interests` trait they state, when asked
    experience: Mapping[str, float]  # weights of beginner / intermediate / expert
    regions: Mapping[str, float]
    tags: Mapping[str, float]  # how strongly entries with each tag draw them
    sessions_per_week: float
    pages_per_session: float
    seconds_per_page: float  # median time on a page
    product_share: float  # pages that are products rather than articles
    cart_rate: float  # add_to_cart per product page
    purchase_rate: float  # sessions that end with a cart and buy it (else cart_abandoned)
    search_rate: float  # sessions with a search
    searches: tuple[str, ...]
    account_share: float  # visitors who have, or make, an account (a userId)
    returning_share: float  # account holders who were customers before the window
    prior_value: tuple[float, float]  # lifetimeValue range of returning customers
    second_device_share: float  # account holders who also log in on a second device
    active: tuple[float, float] = (0.0, 1.0)  # the part of the window they visit in


PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="camper",
        share=0.27,
        interests=("camping", "hiking"),
        experience={"beginner": 3, "intermediate": 4, "expert": 1},
        regions=_regions(0.45),
        tags={"camping": 3.0, "cooking": 2.5, "backpacking": 1.0, "winter": 0.8, "hiking": 0.5},
        sessions_per_week=1.6,
        pages_per_session=8.0,
        seconds_per_page=110.0,
        product_share=0.45,
        cart_rate=0.10,
        purchase_rate=0.55,
        search_rate=0.3,
        searches=("tent", "camp stove", "pot set", "winter camping"),
        account_share=0.45,
        returning_share=0.4,
        prior_value=(80.0, 700.0),
        second_device_share=0.3,
    ),
    Persona(
        key="trail-runner",
        share=0.2,
        interests=("trail-running",),
        experience={"beginner": 1, "intermediate": 3, "expert": 3},
        regions=_regions(0.3),
        tags={"trail-running": 4.0, "footwear": 2.0, "rain": 1.0, "apparel": 0.8},
        sessions_per_week=3.0,
        pages_per_session=3.5,
        seconds_per_page=45.0,
        product_share=0.6,
        cart_rate=0.12,
        purchase_rate=0.5,
        search_rate=0.25,
        searches=("trail shoes", "rain jacket", "running"),
        account_share=0.4,
        returning_share=0.5,
        prior_value=(100.0, 600.0),
        second_device_share=0.4,
    ),
    Persona(
        key="climber",
        share=0.18,
        interests=("climbing",),
        experience={"beginner": 3, "intermediate": 2, "expert": 2},
        regions=_regions(0.35),
        tags={"climbing": 4.0, "bouldering": 3.0, "maintenance": 1.0},
        sessions_per_week=6.0,
        pages_per_session=1.4,
        seconds_per_page=30.0,
        product_share=0.5,
        cart_rate=0.08,
        purchase_rate=0.5,
        search_rate=0.1,
        searches=("chalk", "quickdraws", "approach shoes"),
        account_share=0.35,
        returning_share=0.5,
        prior_value=(50.0, 400.0),
        second_device_share=0.5,
    ),
    Persona(
        key="bargain-hunter",
        share=0.2,
        interests=("hiking",),
        experience={"beginner": 2, "intermediate": 3, "expert": 1},
        regions=_regions(0.25),
        tags={"hiking": 1.0, "packs": 1.0, "apparel": 1.0, "footwear": 1.0, "camping": 0.6},
        sessions_per_week=3.0,
        pages_per_session=4.0,
        seconds_per_page=20.0,
        product_share=0.9,
        cart_rate=0.35,
        purchase_rate=0.12,
        search_rate=0.6,
        searches=("sale", "discount", "cheap tent", "daypack deal"),
        account_share=0.3,
        returning_share=0.3,
        prior_value=(30.0, 250.0),
        second_device_share=0.2,
    ),
    Persona(
        key="lapsed-buyer",
        share=0.15,
        interests=("hiking", "camping"),
        experience={"intermediate": 2, "expert": 3},
        regions=_regions(0.4),
        tags={"hiking": 1.5, "backpacking": 1.5, "ultralight": 1.5, "winter": 1.0},
        sessions_per_week=2.0,
        pages_per_session=3.0,
        seconds_per_page=60.0,
        product_share=0.8,
        cart_rate=0.3,
        purchase_rate=0.7,
        search_rate=0.2,
        searches=("ultralight tent", "base layer"),
        account_share=1.0,
        returning_share=1.0,
        prior_value=(300.0, 1500.0),
        second_device_share=0.2,
        active=(0.0, 0.35),
    ),
)


@dataclass(frozen=True)
class ConsentChoice:
    """One answer to the consent banner; ``granted`` is None for visitors who never answer."""

    key: str
    share: float
    granted: frozenset[Purpose] | None


CONSENT_CHOICES: tuple[ConsentChoice, ...] = (
    ConsentChoice(
        "accept all",
        0.5,
        frozenset(
            {
                Purpose.ANALYTICS,
                Purpose.PERSONALIZATION,
                Purpose.RECOMMENDATIONS,
                Purpose.THIRD_PARTY,
            }
        ),
    ),
    ConsentChoice(
        "no third parties",
        0.15,
        frozenset({Purpose.ANALYTICS, Purpose.PERSONALIZATION, Purpose.RECOMMENDATIONS}),
    ),
    ConsentChoice("analytics only", 0.12, frozenset({Purpose.ANALYTICS})),
    ConsentChoice("reject all", 0.13, frozenset()),
    ConsentChoice("never answered", 0.10, None),
)
GPC_SHARE = 0.12  # browsers sending Global Privacy Control; the banner then denies THIRD_PARTY
