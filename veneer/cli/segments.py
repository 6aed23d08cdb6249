"""`veneer segments backfill`: decide stored membership for every profile from history."""

from __future__ import annotations

import asyncio
import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from veneer.cli.base import app, console
from veneer.runtime.memberships import BackfillResult, UnknownSegment, backfill
from veneer.services import Services
from veneer.settings import Settings

segments_app = typer.Typer(help="Segment membership: backfill and more.", no_args_is_help=True)
app.add_typer(segments_app, name="segments")


@segments_app.command("backfill")
def backfill_command(
    keys: list[str] = typer.Argument(None, metavar="[KEY]...", help="Segments; all if none."),
    slice_size: int = typer.Option(20_000, min=100, help="Profiles decided per transaction."),
    workers: int = typer.Option(2, min=1, help="Slices decided at once (PostgreSQL)."),
) -> None:
    """Decide every profile's membership in these segments from its traits and history.

    Housekeeping does this by itself for new and changed rules; run it to do it at once.
    Profiles are handled in slices, all segments at once per slice, each slice in its own
    transaction, so an interrupted backfill can simply be run again.
    """

    async def run(progress: Progress) -> BackfillResult:
        task = progress.add_task("deciding", total=None)
        services = Services(Settings())
        try:
            return await backfill(
                services,
                keys or None,
                lambda done, total: progress.update(task, completed=done, total=total),
                slice_size,
                workers,
            )
        finally:
            await services.aclose()

    started = time.monotonic()
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=console, transient=True) as progress:
        try:
            result = asyncio.run(run(progress))
        except UnknownSegment as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    console.print(
        f"{result.profiles} profiles decided in {time.monotonic() - started:.1f} s: "
        f"{result.entered} entered, {result.left} left"
    )
