"""Definition files (triggers, placements) kept in version control: reading one, and printing
what applying it changes, as `terraform plan` does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from veneer.cli.base import console, usage_error

if TYPE_CHECKING:
    from veneer.triggers.plan import Plan

T = TypeVar("T")


def read_definitions(path: Path, parse: Callable[[Any], T], refused: type[Exception]) -> T:
    """``parse`` of the YAML in ``path``; exits with status 2 naming the file and the fault."""
    import yaml  # load on use: `veneer --help` stays fast

    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise usage_error(f"cannot read {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise usage_error(f"{path} is not YAML: {exc}") from exc
    try:
        return parse(raw)
    except refused as exc:
        raise usage_error(f"{path}: {exc}") from exc


def print_plan(result: Plan, dry_run: bool) -> None:
    for key in result.added:
        console.print(f"[green]+ {key}[/green] (added)", highlight=False, soft_wrap=True)
    for key, fields in result.changed.items():
        console.print(
            f"[yellow]~ {key}[/yellow] (changed: {', '.join(fields)})",
            highlight=False,
            soft_wrap=True,
        )
    for key in result.removed:
        console.print(f"[red]- {key}[/red] (removed)", highlight=False, soft_wrap=True)
    for key in result.unchanged:
        console.print(f"  {key} (unchanged)", highlight=False, soft_wrap=True)
    counts = (
        f"{len(result.added)} to add, {len(result.changed)} to change, "
        f"{len(result.removed)} to remove, {len(result.unchanged)} unchanged"
    )
    if dry_run:
        console.print(
            f"Plan: {counts}. Nothing was changed (--dry-run).", highlight=False, soft_wrap=True
        )
    else:
        done = counts.replace(" to add", " added").replace(" to change", " changed")
        console.print(
            f"Applied: {done.replace(' to remove', ' removed')}.", highlight=False, soft_wrap=True
        )
