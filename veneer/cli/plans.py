"""How `apply` commands (triggers, placements) print their plan, as `terraform plan` does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from veneer.cli.base import console

if TYPE_CHECKING:
    from veneer.triggers.plan import Plan


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
