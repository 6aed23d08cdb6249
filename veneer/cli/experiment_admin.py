"""`veneer experiments apply`, `list`, `stop` and `results`: experiments Veneer runs itself.

`apply` reads a YAML file (see `veneer.experiments.manifest`) so a team keeps experiments in
version control; `--dry-run` shows what it would change, like a plan, and writes nothing.
An experiment missing from the file is left alone: it holds results, and stopping one is a
decision made on purpose (`veneer experiments stop`).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
import typer
import yaml
from rich.table import Table

from veneer.cli.base import console, with_services
from veneer.cli.experiments import experiments_app, print_analysis
from veneer.experiments.definition import Experiment, ExperimentError
from veneer.experiments.manifest import parse_manifest
from veneer.services import Services

T = TypeVar("T")


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def _comparable(experiment: Experiment) -> tuple[Any, ...]:
    """What a person edits; the seed and the stop time are Veneer's."""
    return (
        experiment.name,
        experiment.metric,
        experiment.arms,
        experiment.traffic_share,
        experiment.guardrails,
        experiment.start,
        experiment.end,
    )


@experiments_app.command("apply")
def apply_command(
    file: Path = typer.Argument(..., help="A YAML file with an `experiments:` list."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the changes; write nothing."),
) -> None:
    """Create or update the experiments a YAML file describes."""
    from veneer.jobs import experiments as jobs

    try:
        drafts = parse_manifest(yaml.safe_load(file.read_text()))
    except OSError as exc:
        raise _fail(f"cannot read {file}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise _fail(f"{file} is not YAML: {exc}") from exc
    except ExperimentError as exc:
        raise _fail(str(exc)) from exc

    async def work(services: Services) -> list[tuple[str, str]]:
        existing = await services.experiments(fresh=True)
        planned = []
        for index, draft in enumerate(drafts):
            try:
                experiment = await jobs.prepared(services, draft)
            except ExperimentError as exc:
                raise ExperimentError(f"experiments[{index}].{exc.field}", exc.message) from exc
            before = existing.get(draft.key)
            if before is None:
                change = "add"
            elif _comparable(before) != _comparable(experiment):
                change = "change"
            else:
                change = "unchanged"
            planned.append((draft.key, change))
        if not dry_run:
            for draft, (_, change) in zip(drafts, planned, strict=True):
                if change != "unchanged":
                    await jobs.save(services, draft)
        untouched = sorted(set(existing) - {d.key for d in drafts})
        return planned + [(key, "not in the file: left as it is") for key in untouched]

    try:
        planned = with_services(work)
    except ExperimentError as exc:
        raise _fail(str(exc)) from exc
    verb = {"add": "would add", "change": "would change"} if dry_run else {}
    for key, change in planned:
        console.print(f"{verb.get(change, change)}: {key}")
    if dry_run:
        console.print("dry run: nothing written")


@experiments_app.command("list")
def list_command() -> None:
    """Every experiment with its status, metric, arms and traffic share."""

    async def work(services: Services) -> list[Experiment]:
        found = await services.experiments(fresh=True)
        return [found[key] for key in sorted(found)]

    experiments = with_services(work)
    if not experiments:
        console.print("no experiments yet: `veneer experiments apply FILE` starts one")
        return
    table = Table("key", "status", "metric", "arms", "traffic")
    for e in experiments:
        arms = ", ".join(
            f"{a.key} {a.weight:g}" + (" (control)" if a.control else "") for a in e.arms
        )
        table.add_row(e.key, e.status(datetime.now(UTC)), e.metric, arms, f"{e.traffic_share:.0%}")
    console.print(table)


@experiments_app.command("stop")
def stop_command(key: str = typer.Argument(..., help="The experiment to stop.")) -> None:
    """Stop enrolling: everyone sees the baseline again; the results stay readable."""
    from veneer.jobs import experiments as jobs

    stopped = with_services(lambda services: jobs.stop(services, key))
    if stopped is None:
        raise _fail(f"no experiment {key!r}")
    console.print(f"stopped: {key}")


@experiments_app.command("results")
def results_command(
    key: str = typer.Argument(..., help="The experiment to read."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON only."),
) -> None:
    """Results from Veneer's own exposures, read sequentially (safe to look at daily)."""
    from veneer.experiments.decision import decision
    from veneer.jobs import experiments as jobs

    found = with_services(lambda services: jobs.results(services, key))
    if found is None:
        raise _fail(f"no experiment {key!r}")
    line = decision(found.analysis, found.guardrails)
    if as_json:
        document = {
            "key": key,
            **found.analysis.as_json(),
            "arms": [
                {"arm": t.arm, "users": t.users, "conversions": t.conversions, "value": t.total}
                for t in found.totals
            ],
            "guardrails": {m: a.as_json() for m, a in found.guardrails.items()},
            "decision": line,
        }
        sys.stdout.write(orjson.dumps(document).decode() + "\n")
        return
    binomial = found.experiment.metric_spec.kind == "binomial"
    arms = Table("arm", "viewers", "converted", *(() if binomial else ("value",)))
    for a, t in zip(found.experiment.arms, found.totals, strict=True):
        arms.add_row(
            a.key + (" (control)" if a.control else ""),
            f"{t.users:,}",
            f"{t.conversions:,}",
            *(() if binomial else (f"{t.total:,.2f}",)),
        )
    console.print(arms)
    print_analysis(found.analysis)
    for metric, analysis in found.guardrails.items():
        console.print(f"guardrail {metric}:")
        print_analysis(analysis)
    console.print(line)


@experiments_app.command("report")
def report_command(
    key: str = typer.Argument(..., help="The experiment to report on."),
    png: Path | None = typer.Option(
        None, help="Where to draw the lift over time (default: KEY.png here)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print each day as JSON only."),
) -> None:
    """The results as they stood at the end of each day, as a table and a PNG chart of each
    arm's lift with its confidence sequence (valid however often it was looked at)."""
    from veneer.experiments.chart import plot_timeline
    from veneer.jobs import experiments as jobs

    found = with_services(lambda services: jobs.days(services, key))
    if found is None:
        raise _fail(f"no experiment {key!r}")
    experiment, days = found
    if as_json:
        sys.stdout.write(orjson.dumps([day.as_json() for day in days]).decode() + "\n")
        return
    if not days:
        console.print(f"{key}: nobody exposed yet, so there is nothing to report")
        return
    table = Table("day", "viewers", *(f"{c.arm} lift" for c in days[0].analysis.comparisons))
    for day in days:
        lifts = [
            "-"
            if c.lift is None
            else f"{c.lift:+.1%}"
            + ("" if c.ci[0] is None or c.ci[1] is None else f" ({c.ci[0]:+.1%} to {c.ci[1]:+.1%})")
            for c in day.analysis.comparisons
        ]
        table.add_row(day.day.isoformat(), f"{sum(day.users.values()):,}", *lifts)
    console.print(table)
    if not days[-1].analysis.trustworthy:
        console.print("[red bold]the last day shows a sample-ratio mismatch[/red bold]")
    path = plot_timeline(
        days, png or Path(f"{key}.png"), f"{key}: lift over control ({experiment.metric})"
    )
    console.print(f"chart: {path}", soft_wrap=True)
