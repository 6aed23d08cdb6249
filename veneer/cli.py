"""The `veneer` command: demo, serve, worker, migrate, keys, viewer-token, forget, export,
quality."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import orjson
import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from veneer.demo import DEMO_SEGMENTS
from veneer.events.quality import QualityRow, build_report
from veneer.identity.keys import KeyKind
from veneer.identity.tokens import DEFAULT_TTL, create_viewer_token
from veneer.identity.viewer import Viewer
from veneer.profiles.importer import RowError, TraitRow, read_csv, read_jsonl
from veneer.profiles.traits import TraitSource
from veneer.runtime.worker import WorkerOptions, run_worker
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import Database
from veneer.store import keys as key_store
from veneer.store import segments as segment_store
from veneer.store.migrate import migrate as run_migrations
from veneer.store.partner_traits import merge_partner_traits
from veneer.store.quality import counts_since

app = typer.Typer(help="Veneer: personalization beside your headless CMS.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
console = Console()


def _port(port: int | None) -> int:
    return port if port is not None else int(os.environ.get("PORT", "8000"))


def _serve(settings: Settings, host: str, port: int) -> None:
    from veneer.app import create_app

    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        loop="auto",
        http="auto",
        access_log=False,
    )


async def _seed_demo_segments(settings: Settings) -> int:
    """Add the demo segments that are missing; an edited one is left as it is."""
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            existing = {row.key for row in await segment_store.list_segments(session)}
            added = 0
            for segment in DEMO_SEGMENTS:
                if segment["key"] not in existing:
                    await segment_store.upsert_segment(
                        session, segment["key"], segment["name"], segment["rule"]
                    )
                    added += 1
        return added
    finally:
        await db.dispose()


@app.command()
def demo(
    port: int | None = typer.Option(None, help="Default: $PORT, else 8000."),
    host: str = "127.0.0.1",
) -> None:
    """Migrate the SQLite database, seed the demo segments and serve the sample content."""
    os.environ["VENEER_DEMO"] = "1"
    settings = Settings()
    run_migrations(settings)
    asyncio.run(_seed_demo_segments(settings))
    port = _port(port)
    console.print(f"[bold]Veneer demo[/] at http://{host}:{port}  (GraphiQL: /graphql)")
    console.print("Demo keys: public [bold]pk_demo[/], secret [bold]sk_demo[/]")
    _serve(settings, host, port)


@app.command()
def serve(
    port: int | None = typer.Option(None, help="Default: $PORT, else 8000."),
    host: str = typer.Option("127.0.0.1", help="Use 0.0.0.0 behind a load balancer."),
) -> None:
    """Serve the API (run `veneer migrate` first)."""
    _serve(Settings(), host, _port(port))


@app.command()
def migrate(revision: str = "head") -> None:
    """Apply the database migrations up to REVISION."""
    settings = Settings()
    run_migrations(settings, revision)
    console.print(f"database at {revision}: {settings.database_url.split('@')[-1]}")


class KindOption(StrEnum):
    public = "public"
    secret = "secret"


@keys_app.command("create")
def keys_create(
    kind: KindOption = typer.Option(..., help="public (browsers, apps) or secret (servers)."),
    name: str = typer.Option("", help="A label to recognise the key by."),
) -> None:
    """Create a key. It is printed once; only its hash is stored."""

    async def create() -> str:
        db = Database(Settings().database_url)
        try:
            async with db.session() as session:
                plain, _ = await key_store.create_key(session, KeyKind(kind.value), name)
            return plain
        finally:
            await db.dispose()

    typer.echo(asyncio.run(create()))


@keys_app.command("list")
def keys_list() -> None:
    """List keys (prefixes only) and whether they are revoked."""

    async def rows() -> list[tuple[str, ...]]:
        db = Database(Settings().database_url)
        try:
            async with db.session() as session:
                return [
                    (
                        str(r.id),
                        r.kind,
                        r.prefix + "…",
                        r.name,
                        r.created_at.isoformat(timespec="seconds"),
                        "revoked" if r.revoked_at else "active",
                    )
                    for r in await key_store.list_keys(session)
                ]
        finally:
            await db.dispose()

    table = Table("id", "kind", "key", "name", "created", "state")
    for row in asyncio.run(rows()):
        table.add_row(*row)
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: int) -> None:
    """Revoke a key by its id (see `veneer keys list`)."""

    async def revoke() -> bool:
        db = Database(Settings().database_url)
        try:
            async with db.session() as session:
                return await key_store.revoke_key(session, key_id)
        finally:
            await db.dispose()

    if not asyncio.run(revoke()):
        console.print(f"[red]no active key with id {key_id}[/]")
        raise typer.Exit(1)
    console.print(f"key {key_id} revoked (running servers drop it within a minute)")


@app.command("viewer-token")
def viewer_token(
    user_id: str,
    ttl: int = typer.Option(DEFAULT_TTL, help="Seconds the token stays valid."),
) -> None:
    """Sign a viewer token for USER_ID with VENEER_SECRET (for testing a site backend)."""
    settings = Settings()
    try:
        secret = settings.signing_secret()
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    typer.echo(create_viewer_token(user_id, secret, ttl))


def _person(person_id: str, anonymous: bool) -> Viewer:
    return Viewer(anonymous_id=person_id) if anonymous else Viewer(user_id=person_id)


@app.command()
def forget(
    person_id: str = typer.Argument(..., metavar="USER_ID"),
    anonymous: bool = typer.Option(False, "--anonymous", help="USER_ID is an anonymous id."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Erase everything held about a person (right to erasure). Cannot be undone."""
    if not yes:
        typer.confirm(f"Erase all data about {person_id}?", abort=True)

    async def run() -> dict[str, int]:
        services = Services(Settings())
        try:
            return await services.forget(_person(person_id, anonymous), requested_by="cli")
        finally:
            await services.aclose()

    removed = asyncio.run(run())
    summary = ", ".join(f"{n} {name}" for name, n in removed.items())
    console.print(f"erased {person_id}: {summary}")


@app.command()
def export(
    person_id: str = typer.Argument(..., metavar="USER_ID"),
    anonymous: bool = typer.Option(False, "--anonymous", help="USER_ID is an anonymous id."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Print everything held about a person as JSON (right of access)."""

    async def run() -> dict[str, object]:
        services = Services(Settings())
        try:
            return await services.export(_person(person_id, anonymous))
        finally:
            await services.aclose()

    document = orjson.dumps(asyncio.run(run()), option=orjson.OPT_INDENT_2)
    if output is None:
        sys.stdout.write(document.decode() + "\n")
    else:
        output.write_bytes(document + b"\n")
        console.print(f"wrote {output}")


@app.command()
def worker(
    name: str | None = typer.Option(None, help="Consumer name; default host-pid."),
    batch_size: int = typer.Option(200, min=1, max=10_000),
    reclaim_idle: float = typer.Option(
        30.0, min=0.1, help="Seconds before another worker's unacknowledged events are taken over."
    ),
) -> None:
    """Consume the event stream (Redis) and fold events into profiles, until SIGTERM."""
    settings = Settings()
    if not settings.redis_url:
        console.print(
            "[red]VENEER_REDIS_URL is not set: the embedded deployment needs no worker[/]"
        )
        raise typer.Exit(2)
    options = WorkerOptions(batch_size=batch_size, reclaim_idle_ms=int(reclaim_idle * 1000))
    if name:
        options = replace(options, name=name)

    async def run() -> None:
        services = Services(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            await run_worker(services, options, stop)
        finally:
            await services.aclose()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    console.print(f"worker {options.name}: consuming events (Ctrl-C to stop)")
    asyncio.run(run())


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
            async with db.session() as session:
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
