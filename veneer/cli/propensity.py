"""`veneer propensity train`: how likely each viewer is to send an event soon."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.status import Status
from rich.table import Table

from veneer.cli.base import app, console
from veneer.jobs.lease import only_one
from veneer.jobs.propensity import TrainRequest, train_propensity
from veneer.propensity.training import TooFewExamples
from veneer.services import Services
from veneer.settings import Settings

propensity_app = typer.Typer(
    help="Propensity: who is likely to send an event (purchase) soon.", no_args_is_help=True
)
app.add_typer(propensity_app, name="propensity")


@propensity_app.command("train")
def train_command(
    event: str = typer.Option("purchase", help="The event type to predict."),
    horizon: str | None = typer.Option(
        None, help="How far ahead to predict it (30m, 48h, 7d); VENEER_PROPENSITY_HORIZON."
    ),
    window: str | None = typer.Option(
        None, help="The behaviour to learn from, before the cutoff; VENEER_PROPENSITY_WINDOW."
    ),
    seed: int = typer.Option(0, help="Seed of the held-out split and the models."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON only."),
) -> None:
    """Train on viewers as they were one horizon ago, report held-out AUC, Brier score and
    calibration, store the model and score every viewer who allowed personalization.

    Housekeeping retrains by itself every VENEER_PROPENSITY_INTERVAL seconds for the events
    in VENEER_PROPENSITY_EVENTS; run this to do it now or for another event.
    """
    settings = Settings()
    request = TrainRequest(
        event, horizon or settings.propensity_horizon, window or settings.propensity_window, seed
    )

    async def run(status: Status) -> dict[str, Any]:
        services = Services(settings)
        try:
            # The lease housekeeping trains under: one training at a time, whoever asks.
            async with only_one(services, "propensity") as mine:
                if not mine:
                    raise ValueError(
                        "another process is training propensity models now; "
                        "run this again when it is done"
                    )
                return await train_propensity(services, request, status.update)
        finally:
            await services.aclose()

    try:
        # On stderr, so `--json | jq` reads only the report.
        with Console(stderr=True).status("reading behaviour") as status:
            found = asyncio.run(run(status))
    except (TooFewExamples, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(orjson.dumps(found).decode() + "\n")
        return
    held = found["heldOut"]
    table = Table(title=f"{found['model']}: calibration on {held['viewers']} held-out viewers")
    for column in ("scores", "viewers", "mean score", "converted"):
        table.add_column(column, justify="right")
    for part in held["calibration"]:
        table.add_row(
            f"{part['low']:.2f}-{part['high']:.2f}",
            f"{part['viewers']:,}",
            f"{part['predicted']:.1%}",
            f"{part['observed']:.1%}",
        )
    console.print(table)
    candidates = ", ".join(f"{kind} {auc:.3f}" for kind, auc in held["candidates"].items())
    console.print(
        f"{found['event']} within {found['horizon']}: trained on {found['viewers']:,} viewers "
        f"({found['converted']:,} converted) as of {found['cutoff'][:16]}"
    )
    console.print(
        f"held-out AUC {held['auc']:.3f} ({candidates}), Brier {held['brier']:.4f} "
        f"(base rate alone {held['brierOfBaseRate']:.4f}), {found['calibration']} calibration"
    )
    console.print(
        f"scored {found['scored']:,} viewers"
        + (f"; decided again: {', '.join(found['segments'])}" if found["segments"] else "")
    )
