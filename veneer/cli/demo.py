"""`veneer demo`: serve the demo; `veneer demo traffic`: fill it with simulated shoppers."""

from __future__ import annotations

import asyncio
import os
import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from veneer.cli.base import app, console
from veneer.cli.server import _port, _serve, seed_demo_placements, seed_demo_segments
from veneer.content_adapters.base import ContentError
from veneer.jobs.traffic import TrafficReport, run_traffic, totals
from veneer.settings import Settings
from veneer.store.migrate import migrate as run_migrations
from veneer.traffic import CONSENT_CHOICES

demo_app = typer.Typer(
    help="Serve the demo shop (migrating its database and adding the demo segments first), "
    "or fill it with simulated traffic: `veneer demo traffic`."
)
app.add_typer(demo_app, name="demo")


@demo_app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    port: int | None = typer.Option(None, help="Default: $PORT, else 8000."),
    host: str = "127.0.0.1",
) -> None:
    """Migrate the SQLite database, seed the demo segments and placements, and serve the
    sample content."""
    if ctx.invoked_subcommand is not None:
        return  # `veneer demo traffic` fills the demo; it does not serve it
    os.environ["VENEER_DEMO"] = "1"
    # A model trained from another terminal answers the next query, not seconds later.
    os.environ.setdefault("VENEER_RECOMMEND_MODEL_CHECK", "0")
    # The demo trains when asked (`veneer recs train`), not when its housekeeping happens to
    # look while `veneer demo traffic` is half done.
    os.environ.setdefault("VENEER_RECOMMEND_TRAIN_INTERVAL", "0")
    # Scores, segments and traits changed from another terminal (`veneer propensity train`,
    # a backfill) show on the next query: the demo keeps no viewer state between requests.
    os.environ.setdefault("VENEER_VIEWER_CACHE_TTL", "0")
    os.environ.setdefault("VENEER_LOG_FORMAT", "text")  # a person reads this terminal
    settings = Settings()
    run_migrations(settings)
    asyncio.run(seed_demo_segments(settings))
    asyncio.run(seed_demo_placements(settings))
    port = _port(port)
    console.print(f"[bold]Veneer demo[/] at http://{host}:{port}  (GraphiQL: /graphql)")
    console.print("Demo keys: public [bold]pk_demo[/], secret [bold]sk_demo[/]")
    _serve(settings, host, port)


@demo_app.command("traffic")
def traffic(
    viewers: int = typer.Option(300, min=1, max=100_000, help="Simulated shoppers."),
    days: int = typer.Option(14, min=1, max=90, help="Their visits spread over the last DAYS."),
    seed: int = typer.Option(1, help="The same seed gives the same shoppers and events."),
) -> None:
    """Fill the demo with simulated shoppers: consent, logins, traits, sessions, carts, orders.

    Everything goes through Veneer's own paths (consent, identify, event ingest with its
    validation, consent gate and dedupe), so the demo holds what real traffic would leave.
    Event ids derive from the seed: running the same seed again adds nothing.
    """
    settings = Settings()
    run_migrations(settings)
    asyncio.run(seed_demo_segments(settings))
    where = settings.sqlite_path() or settings.database_url.split("@")[-1]
    console.print(f"Simulating {viewers:,} viewers over {days} days (seed {seed}) into {where}")
    started = time.monotonic()
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("replaying", total=None)
        try:
            report = asyncio.run(
                run_traffic(
                    settings,
                    viewers,
                    days,
                    seed,
                    lambda done, total: progress.update(task, completed=done, total=total),
                )
            )
        except (ContentError, ValueError) as exc:  # no content to visit, or the CMS is down
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    _print_report(report, seed, time.monotonic() - started)
    if settings.redis_url:
        console.print(
            "With VENEER_REDIS_URL set, accepted events wait in the Redis stream until "
            "`veneer worker` stores them; the profiles above count those stored so far."
        )


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _print_report(report: TrafficReport, seed: int, seconds: float) -> None:
    visitors = report.visitors
    done = report.replayed
    console.print(f"{len(visitors):,} viewers replayed in {seconds:.1f} s")
    consent = Table("answer to the consent banner", "viewers", "share", title="Consent")
    for choice in CONSENT_CHOICES:
        n = sum(1 for v in visitors if v.consent == choice.key)
        consent.add_row(choice.key, f"{n:,}", _share(n, len(visitors)))
    gpc = sum(1 for v in visitors if v.gpc)
    consent.add_row("sent Global Privacy Control", f"{gpc:,}", _share(gpc, len(visitors)))
    console.print(consent)
    accounts = [v for v in visitors if v.user_id]
    two = sum(1 for v in accounts if len(v.devices) > 1)
    console.print(
        f"Accounts: {len(accounts):,} viewers with a userId ({two:,} also on a second device), "
        f"{done.logins:,} logins, {done.identified:,} identify calls"
    )
    console.print(
        f"Events sent: {done.sent:,}; stored {done.stored:,}, dropped for lack of ANALYTICS "
        f"consent {done.dropped:,}, duplicates {done.duplicates:,}, rejected {len(done.rejected):,}"
    )
    for error in done.rejected[:5]:
        console.print(f"  [red]rejected[/red] {error.field}: {error.message}")
    counts, purchases, value = totals(report)
    worth = ", ".join(f"{currency} {amount:,.2f}" for currency, amount in sorted(value.items()))
    console.print(
        f"These viewers now hold {len(report.held):,} profiles with events: "
        f"{counts['entry_view']:,} entry views, {counts['add_to_cart']:,} cart adds, "
        f"{counts['cart_abandoned']:,} abandoned carts, {purchases:,} purchases"
        + (f" ({worth})" if worth else "")
    )
    sizes = Table("segment", "members", title="Segments, decided")
    for key, size in sorted(report.sizes.items()):
        sizes.add_row(key, f"{size:,}")
    console.print(sizes)
    if done.sent and not done.stored and done.duplicates:
        console.print(
            f"Seed {seed} was replayed here before: every event id was already there, so "
            "nothing was counted twice, and consent already on record was not recorded again."
        )
    else:
        console.print(
            f"Event ids derive from the seed: running seed {seed} again adds nothing "
            "(Veneer counts each event id once); another --seed adds other viewers."
        )
