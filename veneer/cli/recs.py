"""`veneer recs evaluate`: measure the recommendation candidates offline and choose one.

Imports the models only when a command runs: the CLI starts without numpy's friends.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import orjson
import typer
from rich.console import Console
from rich.table import Table

from veneer.cli.base import app, console

recs_app = typer.Typer(help="Recommendation models: offline evaluation.", no_args_is_help=True)
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
