"""Shoppers for a champion/challenger experiment on recommendation models, so `veneer recs
conclude` can reach a verdict on the demo.

Each shopper is a new visitor who allows ANALYTICS, PERSONALIZATION and RECOMMENDATIONS,
looks at two entries, then asks for recommendations, through Veneer's own HTTP API as a
site would: Veneer assigns the arm, serves that arm's model version and records the
exposure; the shopper sees only which version picked the list (`personalization.strategy`).
Shoppers served by the challenger's version buy the first recommended entry ``lift`` more
often than the rest: the effect the experiment should find.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

CONSENT = (
    "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}, "
    "{purpose: PERSONALIZATION, granted: true}, {purpose: RECOMMENDATIONS, granted: true}], "
    'source: "banner") { purpose } }'
)
ENTRIES = "{ entries(first: 100) { edges { node { id } } } }"
RECOMMENDATIONS = "{ recommendations(first: 3) { id fields personalization { strategy } } }"


def served_by(strategy: str, versions: Mapping[str, str]) -> str | None:
    """The arm whose model version picked an entry (`recipe:v7` is version 7), if any."""
    _, _, version = strategy.rpartition(":v")
    by_version = {number: arm for arm, number in versions.items()}
    return by_version.get(version)


async def _post(client: httpx.AsyncClient, query: str, who: dict[str, str]) -> Any:
    body = (await client.post("/graphql", json={"query": query}, headers=who)).json()
    if body.get("errors"):
        raise ValueError(body["errors"][0]["message"])
    return body["data"]


async def shop(
    client: httpx.AsyncClient,
    key: str,
    versions: Mapping[str, str],
    challenger: str,
    plan: tuple[int, float, float, int],
    advance: Callable[[], None],
) -> tuple[dict[str, int], dict[str, int], list[dict[str, Any]]]:
    """Shoppers by the arm whose version served them (``other`` when none did), buyers by
    arm, and the purchases to send."""
    viewers, rate, lift, seed = plan
    chance = random.Random(seed)
    demo = {"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": f"{key}-{seed}-catalogue"}
    catalogue = [
        edge["node"]["id"] for edge in (await _post(client, ENTRIES, demo))["entries"]["edges"]
    ]
    shown: dict[str, int] = {}
    bought: dict[str, int] = {}
    purchases: list[dict[str, Any]] = []
    for n in range(viewers):
        device = f"{key}-{seed}-{n}"
        who = {"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": device}
        await _post(client, CONSENT, who)
        looked = [
            {"id": f"{device}-view-{i}", "type": "entry_view", "entryId": entry}
            for i, entry in enumerate(chance.sample(catalogue, 2))
        ]
        sent = await client.post("/v1/events", json=looked, headers=who)
        if sent.status_code != 202:
            raise ValueError(f"views refused: {sent.text}")
        listed = (await _post(client, RECOMMENDATIONS, who))["recommendations"]
        if not listed:
            raise ValueError("no recommendations came back")
        arm = served_by(listed[0]["personalization"]["strategy"], versions) or "other"
        shown[arm] = shown.get(arm, 0) + 1
        odds = rate * (1 + lift) if arm == challenger else rate
        if chance.random() < odds:
            bought[arm] = bought.get(arm, 0) + 1
            first = listed[0]
            purchases.append(
                {
                    "id": f"{device}-purchase",
                    "type": "purchase",
                    "anonymousId": device,
                    "entryId": first["id"],
                    "timestamp": datetime.now(UTC).isoformat(),
                    "properties": {"value": first["fields"].get("price", 1.0), "currency": "EUR"},
                }
            )
        advance()
    return shown, bought, purchases
