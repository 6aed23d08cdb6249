"""`veneer demo experiment`: simulated shoppers meet a running experiment, so its results
can be read all the way to a decision on the demo. (An experiment of recommendation models
gets the shoppers of `veneer.cli.demo_challenge`.)

Each shopper is a new visitor who accepts the consent banner, opens the experiment's entry
and maybe buys it, through Veneer's own HTTP API (the app in this process, with the public
demo key), as a site would: Veneer assigns the arm, serves it, and records the exposure;
the shopper only sees a title. Shoppers who are shown a variant buy ``lift`` more often than
those shown the baseline: the effect the experiment should find. The seed fixes who buys,
but not the arms, which follow the experiment's own seed.
"""

from __future__ import annotations

import asyncio
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from veneer.cli.base import console
from veneer.cli.demo import demo_app
from veneer.cli.demo_challenge import shop

CONSENT = (
    "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}, "
    '{purpose: PERSONALIZATION, granted: true}], source: "banner") { purpose } }'
)
ENTRY = (
    "query($id: ID!) { entry(id: $id) { fields "
    "personalization { baseline experiment { key arm } } } }"
)
BATCH = 500


@dataclass
class Tally:
    shown: dict[str, int]
    bought: dict[str, int]


async def _open_entry(
    client: httpx.AsyncClient,
    key: str,
    entry: str,
    plan: tuple[int, float, float, int],
    advance: Any,
) -> tuple[dict[str, int], dict[str, int], list[dict[str, Any]]]:
    """Shoppers who open the experiment's entry, by arm; buyers by arm; their purchases."""
    viewers, rate, lift, seed = plan
    chance = random.Random(seed)
    shown: dict[str, int] = {}
    bought: dict[str, int] = {}
    purchases: list[dict[str, Any]] = []
    for n in range(viewers):
        who = {"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": f"{key}-{seed}-{n}"}
        await client.post("/graphql", json={"query": CONSENT}, headers=who)
        answer = await client.post(
            "/graphql", json={"query": ENTRY, "variables": {"id": entry}}, headers=who
        )
        body = answer.json()
        if body.get("errors") or not body["data"]["entry"]:
            raise ValueError(f"{entry}: {body.get('errors') or 'no such entry'}")
        found = body["data"]["entry"]
        assigned = found["personalization"]["experiment"]
        if assigned is None or assigned["key"] != key:
            raise ValueError(f"{entry} is not in running experiment {key!r}")
        arm = assigned["arm"]
        shown[arm] = shown.get(arm, 0) + 1
        odds = rate if found["personalization"]["baseline"] else rate * (1 + lift)
        if chance.random() < odds:
            bought[arm] = bought.get(arm, 0) + 1
            purchases.append(
                {
                    "id": f"{key}-{seed}-{n}-purchase",
                    "type": "purchase",
                    "anonymousId": who["X-Veneer-Anonymous-Id"],
                    "entryId": entry,
                    "timestamp": datetime.now(UTC).isoformat(),
                    "properties": {"value": found["fields"].get("price", 1.0), "currency": "EUR"},
                }
            )
        advance()
    return shown, bought, purchases


async def _simulate(
    key: str, entry: str, viewers: int, rate: float, lift: float, seed: int, advance: Any
) -> Tally:
    from veneer.app import create_app

    app = create_app()
    services = app.state.services
    transport = httpx.ASGITransport(app=app)
    plan = (viewers, rate, lift, seed)
    try:
        running = (await services.experiments(fresh=True)).get(key)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
            if running is not None and running.models:  # champion vs challenger models
                challenger = next(arm.key for arm in running.arms if not arm.control)
                shown, bought, purchases = await shop(
                    client, key, running.models, challenger, plan, advance
                )
            else:
                shown, bought, purchases = await _open_entry(client, key, entry, plan, advance)
            secret = {"Authorization": "Bearer sk_demo"}
            for start in range(0, len(purchases), BATCH):
                sent = await client.post(
                    "/v1/events", json=purchases[start : start + BATCH], headers=secret
                )
                if sent.status_code != 202 or sent.json()["rejected"]:
                    raise ValueError(f"purchases refused: {sent.text}")
    finally:
        await services.aclose()
    return Tally(shown, bought)


@demo_app.command("experiment")
def experiment_command(
    key: str = typer.Argument(
        "pack-headline",
        help="A running experiment on a variant, or of recommendation models (`recs-v2`).",
    ),
    entry: str = typer.Option(
        "basecamp-55-pack", help="The entry whose variants it tests (not for models)."
    ),
    viewers: int = typer.Option(4000, min=10, help="How many shoppers open the entry."),
    rate: float = typer.Option(0.08, min=0, max=1, help="How often the baseline sells."),
    lift: float = typer.Option(
        1.0, min=-1, help="How much more often a variant (or the challenger's list) sells."
    ),
    seed: int = typer.Option(1, help="Who buys; the same seed sends the same event ids."),
) -> None:
    """Send shoppers to a running experiment's entry so its results can be read."""
    os.environ["VENEER_DEMO"] = "1"  # the demo keys, as `veneer demo` serves them
    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("shoppers", total=viewers)
        try:
            tally = asyncio.run(
                _simulate(key, entry, viewers, rate, lift, seed, lambda: progress.advance(task))
            )
        except ValueError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    for arm in sorted(tally.shown):
        console.print(
            f"{arm}: {tally.shown[arm]:,} shoppers, {tally.bought.get(arm, 0):,} bought",
            highlight=False,
        )
