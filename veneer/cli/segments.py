"""`veneer segments backfill`, `validate` and `cluster`: membership, effect, discovery."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.status import Status
from rich.table import Table

from veneer.cli.base import app, console
from veneer.jobs.clustering import (
    DEFAULT_EVENTS,
    DEFAULT_TAGS,
    ClusterRequest,
    run_clustering,
)
from veneer.jobs.memberships import BackfillResult, UnknownSegment, backfill
from veneer.jobs.segment_validation import NoHoldout, validate_segment
from veneer.segments.rules import RuleError
from veneer.services import Services
from veneer.settings import Settings
from veneer.statistics.proportions import Comparison

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


@segments_app.command("validate")
def validate_command(
    key: str = typer.Argument(..., help="The segment to validate."),
    metric: str = typer.Option("purchase", help="The event type that counts as converting."),
    confidence: float = typer.Option(0.95, min=0.5, max=0.999, help="Confidence level."),
) -> None:
    """Compare the segment's personalized experience with its holdout (two-proportion test)."""

    async def run() -> Comparison:
        services = Services(Settings())
        try:
            return await validate_segment(services, key, metric, confidence)
        finally:
            await services.aclose()

    try:
        result = asyncio.run(run())
    except (UnknownSegment, NoHoldout) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    table = Table(title=f"{key}: {metric} after entering the segment")
    for column in ("group", "viewers", "converted", "rate"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for name, group in (("personalized", result.treated), ("holdout", result.control)):
        table.add_row(name, f"{group.viewers:,}", f"{group.converted:,}", f"{group.rate:.2%}")
    console.print(table)
    level = f"{confidence:.0%}"
    console.print(
        f"difference {result.difference:+.2%} ({level} interval {result.low:+.2%} to "
        f"{result.high:+.2%}), p = "
        + ("n/a" if result.p_value is None else f"{result.p_value:.4f}")
    )
    console.print(result.verdict())


@segments_app.command("cluster")
def cluster_command(
    output: Path = typer.Option(
        Path(".veneer/clusters"), help="Folder for report.json and the k.png plot."
    ),
    events: str = typer.Option(
        ",".join(DEFAULT_EVENTS), help="Event types whose counts describe behaviour."
    ),
    within: str = typer.Option("30d", help="Window the features cover (30m, 48h, 7d)."),
    visits: bool = typer.Option(
        True, help="Also sessions, minutes and pages per session, days since last seen."
    ),
    tags: int = typer.Option(
        DEFAULT_TAGS, min=0, max=50, help="Views of the N most viewed entry tags (0: none)."
    ),
    tag_field: str = typer.Option("tags", help="The entries' field that lists their tags."),
    k: int | None = typer.Option(
        None, min=2, max=20, help="Clusters; chosen by silhouette if unset."
    ),
    method: str = typer.Option("kmeans", help="kmeans or agglomerative."),
    save: str | None = typer.Option(
        None, help="Save each cluster's rule as segment PREFIX-N (then edit it like any rule)."
    ),
) -> None:
    """Discover segments from behaviour, with names, rules editors can adopt, and a k plot."""
    from veneer.segments.clustering import TooFewProfiles  # scikit-learn: loaded when used

    request = ClusterRequest(
        tuple(e.strip() for e in events.split(",") if e.strip()),
        within,
        k,
        method,
        save,
        visits,
        tags,
        tag_field,
    )

    async def run(status: Status) -> dict[str, Any]:
        services = Services(Settings())
        try:
            return await run_clustering(services, output, request, status.update)
        finally:
            await services.aclose()

    try:
        with console.status("reading behaviour") as status:
            found = asyncio.run(run(status))
    except (TooFewProfiles, RuleError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    table = Table(title=f"k = {found['k']} (silhouette {found['silhouette'][str(found['k'])]})")
    for column in ("cluster", "size", "name", "rule agrees"):
        table.add_column(column)
    for cluster in found["clusters"]:
        table.add_row(
            str(cluster["number"]),
            f"{cluster['size']:,}",
            cluster["name"],
            f"{cluster['agreement']:.1%}" if cluster["rule"] else "no rule",
        )
    console.print(table)
    console.print(f"report: {output / 'report.json'}, plot: {output / 'k.png'}")
