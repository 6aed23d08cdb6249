"""`veneer serve`, `migrate` and `worker`: running Veneer (`veneer demo` is in `demo`)."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace
from typing import NoReturn

import typer
import uvicorn
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from veneer.audit import act_as
from veneer.cli.base import app, console
from veneer.demo import DEMO_SEGMENTS
from veneer.jobs.worker import WorkerOptions, run_worker
from veneer.logs import configure as configure_logs
from veneer.logs import uvicorn_log_config
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import Database
from veneer.store import segments as segment_store
from veneer.store.migrate import SchemaState, schema_state, state_of
from veneer.store.migrate import migrate as run_migrations


def _port(port: int | None) -> int:
    return port if port is not None else int(os.environ.get("PORT", "8000"))


def _refuse(reason: str, code: int) -> NoReturn:
    """One line saying why and what to do, instead of a traceback or a half-working server."""
    console.print(f"[red]veneer: {escape(reason)}[/]", soft_wrap=True)
    raise typer.Exit(code)


def _where(settings: Settings) -> str:
    """The database URL without its credentials."""
    return settings.database_url.split("@")[-1]


async def _schema(settings: Settings) -> SchemaState:
    db = Database(settings.database_url)
    try:
        async with db.reading() as session:
            return await schema_state(session)
    finally:
        await db.dispose()


def _require_schema(settings: Settings) -> None:
    """Refuse to run on a database this code cannot use: it would fail on the first request."""
    path = settings.sqlite_path()
    try:
        # No SQLite file yet: nothing to open (that would leave an empty file behind).
        state = state_of(None) if path and not path.exists() else asyncio.run(_schema(settings))
    except (SQLAlchemyError, OSError) as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]  # libpq adds hints
        _refuse(f"cannot open the database {_where(settings)}: {cause}", 1)
    if state.problem is not None:
        _refuse(f"{state.problem} (database {_where(settings)})", 1)


def _require_secret(settings: Settings) -> None:
    """Without it the app cannot sign viewer tokens: say so, not in a 41-line traceback."""
    try:
        settings.signing_secret()
    except RuntimeError as exc:
        _refuse(str(exc), 2)


def _serve(settings: Settings, host: str, port: int) -> None:
    from veneer.app import create_app

    configure_logs(settings.log_format)
    act_as("system")  # the server's own upkeep; each request names its API key
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        log_config=uvicorn_log_config(),
        loop="auto",
        http="auto",
        access_log=False,
    )


async def seed_demo_segments(settings: Settings) -> int:
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


async def seed_demo_placements(settings: Settings) -> int:
    """Add the demo's placements (`hero`, `recommended`) that are missing."""
    from veneer.jobs.placements import seed_demo_placements as seed

    services = Services(settings)
    try:
        return await seed(services)
    finally:
        await services.aclose()


@app.command()
def serve(
    port: int | None = typer.Option(None, help="Default: $PORT, else 8000."),
    host: str = typer.Option("127.0.0.1", help="Use 0.0.0.0 behind a load balancer."),
    migrate: bool = typer.Option(
        False,
        "--migrate",
        help="Apply the migrations first. With several servers, run `veneer migrate` once instead.",
    ),
) -> None:
    """Serve the API. Refuses to start on a database that is not migrated (see --migrate)."""
    settings = Settings()
    _require_secret(settings)
    if migrate:
        run_migrations(settings)
    _require_schema(settings)
    _serve(settings, host, _port(port))


@app.command()
def migrate(revision: str = "head") -> None:
    """Apply the database migrations up to REVISION."""
    settings = Settings()
    run_migrations(settings, revision)
    console.print(f"database at {revision}: {_where(settings)}")


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
    _require_schema(settings)
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

    configure_logs(settings.log_format)
    act_as("system")
    console.print(f"worker {options.name}: consuming events (Ctrl-C to stop)")
    asyncio.run(run())
