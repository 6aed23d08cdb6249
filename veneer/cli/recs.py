"""`veneer recs`: measure candidates offline (`evaluate`), train one from Veneer's own events
(`train`), and look after the model registry (`models`, `promote`, `rollback`).

Imports the models only when a command runs: the CLI starts without numpy's friends.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import orjson
import typer
from rich.console import Console
from rich.table import Table

from veneer.cli.base import app, console, with_services
from veneer.services import Services

T = TypeVar("T")

recs_app = typer.Typer(
    help="Recommendation models: evaluation, training and the registry.", no_args_is_help=True
)
app.add_typer(recs_app, name="recs")


class DataFormat(StrEnum):
    recbole = "recbole"


class ProtocolChoice(StrEnum):
    random = "random"
    time = "time"


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise typer.BadParameter(f"seeds must be integers separated by commas: {exc}") from exc
    if not seeds:
        raise typer.BadParameter("give at least one seed")
    return seeds


@recs_app.command("evaluate")
def evaluate_command(
    data: Path = typer.Option(..., "--data", help="Directory holding the data set's files."),
    data_format: DataFormat = typer.Option(DataFormat.recbole, "--format", help="File format."),
    protocol: ProtocolChoice = typer.Option(ProtocolChoice.random, help="How test is held out."),
    seeds: str = typer.Option("42,1,2", help="Seeds, one split each, comma-separated."),
    k: int = typer.Option(10, min=1, help="Length of the recommendation lists measured."),
    item_features: bool = typer.Option(
        False, help="Also fit LightFM with the items' tokens (genres) as features."
    ),
    budget_gib: float = typer.Option(
        8.0, min=0.0, help="Memory a model may take; candidates needing more are skipped."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Split by the protocol per seed, choose a model on a validation split of the training
    part, and report every candidate's test figures (means over seeds) against ItemPop."""
    from veneer.jobs.recbole_files import FormatError, read_recbole
    from veneer.recommend.models.experiment import run
    from veneer.recommend.models.recipes import default_candidates

    chosen_seeds = _seeds(seeds)
    progress = Console(stderr=True)
    try:
        dataset = read_recbole(data)
    except (FormatError, OSError) as exc:
        progress.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    interactions = dataset.interactions
    features = dataset.item_features if item_features else None
    if item_features and features is None:
        progress.print(f"[red]error:[/red] {data} has no .item file to take features from")
        raise typer.Exit(2)
    progress.print(
        f"{dataset.name}: {len(interactions):,} interactions, {interactions.n_users:,} users, "
        f"{interactions.n_items:,} items"
    )
    with progress.status("starting") as status:
        report = run(
            interactions,
            protocol.value,
            chosen_seeds,
            lambda seed: default_candidates(seed, item_features=features),
            k,
            budget=int(budget_gib * 2**30),
            progress=lambda message: status.update(message),
        )
    for skipped in report.skipped:
        progress.print(f"skipped {skipped.name}: {skipped.reason}")
    if as_json:
        sys.stdout.write(orjson.dumps(report.as_json()).decode() + "\n")
        return
    table = Table(title=f"{dataset.name}, {protocol.value} protocol, seeds {seeds}")
    table.add_column("model", no_wrap=True)
    for heading in ("P", "xPop", "R", "nDCG", "cov", "AUC", "div", "fit s", "val P"):
        table.add_column(heading, justify="right", no_wrap=True)
    for name, figures in report.models.items():
        marker = " *" if name == report.selected else ""
        table.add_row(
            name + marker,
            f"{figures[f'precision@{k}']:.3f}",
            f"{report.ratio(name):.2f}",
            f"{figures[f'recall@{k}']:.3f}",
            f"{figures[f'ndcg@{k}']:.3f}",
            f"{figures[f'coverage@{k}']:.3f}",
            f"{figures['auc']:.3f}",
            f"{figures[f'diversity@{k}']:.3f}",
            f"{figures['train_s']:.1f}",
            f"{report.validation[name]:.3f}",
        )
    table.caption = (
        f"@{k} figures on test, means over seeds; xPop: P over ItemPop's; "
        f"val P: precision@{k} on the validation split, which chose the model marked *"
    )
    console.print(table)
    console.print(
        f"selected on the validation split: [bold]{report.selected}[/bold], "
        f"{report.ratio(report.selected):.2f}x ItemPop's precision@{k} on test"
    )


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(1)


@recs_app.command("train")
def train_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    register_only: bool = typer.Option(
        False, "--no-promote", help="Register the version without promoting it."
    ),
    challenge: bool = typer.Option(
        False,
        "--challenge",
        help="Do not promote: serve the new version against the champion in an experiment "
        "(see `veneer recs challenge`).",
    ),
) -> None:
    """Train a model on consenting viewers' recent events, register it, and promote it if
    it is not worse than the champion on the holdout (what housekeeping does daily)."""
    from veneer.jobs.recs_training import train

    progress = Console(stderr=True)
    with progress.status("starting") as status:
        result = with_services(
            lambda services: train(
                services,
                "cli",
                lambda m: status.update(m),
                promote=not (register_only or challenge),
            )
        )
    for name, reason in result.skipped.items():
        progress.print(f"skipped {name}: {reason}", highlight=False)
    if as_json:
        sys.stdout.write(orjson.dumps(result.as_json()).decode() + "\n")
    else:
        console.print(result.message, highlight=False)
        if result.version is not None:
            console.print(f"trained in {result.seconds:.1f} s", highlight=False)
    if result.version is None:
        raise typer.Exit(1)
    if challenge:
        _start_challenge(result.version, None, "purchase", 1.0, [])


def _model_json(model: Any, viewers: int) -> dict[str, Any]:
    return {
        "version": model.version,
        "recipe": model.recipe,
        "status": model.status,
        "createdAt": model.created_at.isoformat(),
        "promotedAt": model.promoted_at.isoformat() if model.promoted_at else None,
        "retrainDue": model.retrain_due.isoformat() if model.retrain_due else None,
        "prunedAt": model.pruned_at.isoformat() if model.pruned_at else None,
        "metrics": model.metrics,
        "params": model.params,
        "dataWindow": model.data_window,
        "viewers": viewers,
        "decision": model.decision,
    }


@recs_app.command("models")
def models_command(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List the registered versions, newest first, with their holdout figures."""
    from veneer.store import recommendation_models as registry

    async def read(services: Services) -> list[dict[str, Any]]:
        async with services.db.reading() as session:
            return [
                _model_json(m, await registry.viewer_count(session, m.version))
                for m in await registry.list_versions(session)
            ]

    models = with_services(read)
    if as_json:
        sys.stdout.write(orjson.dumps(models).decode() + "\n")
        return
    if not models:
        console.print("no recommendation models yet: run `veneer recs train`")
        return
    table = Table(title="recommendation models")
    for heading in ("version", "recipe", "status", "P@10", "champion P@10", "viewers", "created"):
        table.add_column(heading, no_wrap=heading != "recipe")
    table.add_column("decision")
    for m in models:
        champion = m["metrics"].get("champion") or {}
        theirs = champion.get("precision@10")
        table.add_row(
            str(m["version"]),
            m["recipe"],
            m["status"]
            + (" (retrain due)" if m["retrainDue"] else "")
            + (" (pruned)" if m["prunedAt"] else ""),
            f"{m['metrics'].get('chosen', {}).get('precision@10', float('nan')):.3f}",
            "-" if theirs is None else f"v{champion['version']}: {theirs:.3f}",
            str(m["viewers"]),
            m["createdAt"][:16],
            m["decision"],
        )
    console.print(table)


@recs_app.command("promote")
def promote_command(version: int = typer.Argument(..., help="The version to serve.")) -> None:
    """Make VERSION the champion (the previous one is retired, and kept for rollback)."""
    from veneer.jobs.recs_registry import RegistryError, promote

    try:
        change = with_services(
            lambda services: promote(services, version, f"promoted by hand: v{version}")
        )
    except RegistryError as exc:
        raise _fail(str(exc)) from exc
    was = f" (was v{change.before})" if change.before is not None else ""
    console.print(f"version {version} is the champion{was}", highlight=False)


@recs_app.command("rollback")
def rollback_command() -> None:
    """Give the champion's place back to the version it replaced."""
    from veneer.jobs.recs_registry import RegistryError, rollback

    try:
        change = with_services(rollback)
    except RegistryError as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"rolled back: version {change.after} is the champion again (was v{change.before})",
        highlight=False,
    )


def _start_challenge(
    version: int, key: str | None, metric: str, traffic: float, guardrails: list[str]
) -> None:
    from veneer.experiments.definition import ExperimentError
    from veneer.jobs.recs_challenge import challenge

    try:
        started = with_services(
            lambda services: challenge(services, version, key, metric, traffic, tuple(guardrails))
        )
    except ExperimentError as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"experiment {started.key}: v{version} serves the `challenger` arm against the "
        f"champion on {metric}; `veneer recs conclude {started.key}` decides",
        highlight=False,
    )


@recs_app.command("challenge")
def challenge_command(
    version: int = typer.Argument(..., help="The registered version to try on live traffic."),
    key: str | None = typer.Option(None, help="The experiment's key (default recs-vVERSION)."),
    metric: str = typer.Option("purchase", help="The conversion (or `event.property`) to win."),
    traffic: float = typer.Option(1.0, help="Share of viewers enrolled."),
    guardrail: list[str] = typer.Option([], help="A metric the challenger must not harm."),
) -> None:
    """Serve VERSION to half the enrolled viewers and the champion to the rest, instead of
    promoting it on offline figures; conclude with `veneer recs conclude`."""
    _start_challenge(version, key, metric, traffic, guardrail)


@recs_app.command("conclude")
def conclude_command(key: str = typer.Argument(..., help="The model experiment.")) -> None:
    """Promote the challenger if it won, drop it if it lost, else leave it running (what
    housekeeping does daily when training is scheduled)."""
    from veneer.experiments.definition import ExperimentError
    from veneer.jobs.recs_challenge import conclude

    try:
        done = with_services(lambda services: conclude(services, key))
    except ExperimentError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"{done.outcome}: {done.reason}", highlight=False)
