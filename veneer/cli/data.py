"""`veneer quality` and `veneer import traits`: the data coming in."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import orjson
import typer
from rich.progress import Progress
from rich.table import Table

from veneer.cli.base import app, console
from veneer.events.quality import QualityRow, build_report
from veneer.profiles.importer import RowError, TraitRow, read_csv, read_jsonl
from veneer.profiles.traits import TraitSource
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.partner_traits import merge_partner_traits
from veneer.store.quality import counts_since


@app.command()
def quality(
    days: int = typer.Option(7, min=1, max=366, help="How many days back, today included."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Report event quality per source and type; exits 1 when any row raises an alert."""
    settings = Settings()

    async def rows() -> list[QualityRow]:
        db = Database(settings.database_url)
        try:
            since = (datetime.now(UTC) - timedelta(days=days - 1)).date()
            async with db.reading() as session:
                counters = await counts_since(session, since)
        finally:
            await db.dispose()
        return build_report(counters, settings.quality_alert_threshold)

    report = asyncio.run(rows())
    if as_json:
        sys.stdout.write(
            orjson.dumps([asdict(r) for r in report], option=orjson.OPT_INDENT_2).decode() + "\n"
        )
    else:
        table = Table(
            "source",
            "type",
            "accepted",
            "dupes",
            "late",
            "no consent",
            "rejected",
            "reject %",
            "nulls",
        )
        for row in report:
            nulls = ", ".join(f"{k} {v:.0%}" for k, v in row.null_rates.items() if v)
            rejected = ", ".join(f"{k} {v}" for k, v in row.rejected.items())
            rate = (
                f"[red]{row.rejection_rate:.1%} ALERT[/]"
                if row.alert
                else f"{row.rejection_rate:.1%}"
            )
            table.add_row(
                row.source,
                row.event_type,
                str(row.accepted),
                str(row.duplicates),
                str(row.late),
                str(row.no_consent),
                rejected,
                rate,
                nulls,
            )
        console.print(table)
    if any(row.alert for row in report):
        raise typer.Exit(1)


import_app = typer.Typer(help="Load data from files.", no_args_is_help=True)
app.add_typer(import_app, name="import")


class SourceOption(StrEnum):
    second_party = "second_party"
    third_party = "third_party"


@import_app.command("traits")
def import_traits(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .jsonl file."),
    source: SourceOption = typer.Option(..., help="Who the traits come from."),
) -> None:
    """Import partner traits keyed by user id, email or email hash; reports every bad row."""
    if path.suffix not in (".csv", ".jsonl"):
        console.print(f"[red]{path}: use a .csv or .jsonl file[/]")
        raise typer.Exit(2)
    text = path.read_text(encoding="utf-8")
    rows = list((read_csv if path.suffix == ".csv" else read_jsonl)(text))
    good = [r for r in rows if isinstance(r, TraitRow)]
    bad = [r for r in rows if isinstance(r, RowError)]

    async def load() -> None:
        db = Database(Settings().database_url)
        try:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task(f"importing {path.name}", total=len(good))
                for start in range(0, len(good), 500):
                    async with db.session() as session:
                        for row in good[start : start + 500]:
                            await merge_partner_traits(
                                session,
                                row.subject_kind,
                                row.subject,
                                TraitSource(source.value),
                                row.traits,
                            )
                    progress.advance(task, len(good[start : start + 500]))
        finally:
            await db.dispose()

    asyncio.run(load())
    console.print(f"imported {len(good)} rows as {source.value}; rejected {len(bad)}")
    for error in bad[:50]:
        console.print(f"  line {error.line}: {error.message}")
    if len(bad) > 50:
        console.print(f"  ... and {len(bad) - 50} more")
    if bad:
        raise typer.Exit(1)
