"""`veneer triggers apply FILE [--dry-run]`: triggers kept in version control, applied like
`terraform apply`, with `--dry-run` as the plan; `veneer triggers export` writes the saved
ones as such a file, to start from triggers made over GraphQL."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from veneer.cli.base import app, usage_error
from veneer.cli.plans import print_plan, read_definitions

if TYPE_CHECKING:
    from veneer.triggers import Trigger
    from veneer.triggers.plan import Plan

triggers_app = typer.Typer(
    help="Triggers: apply a triggers file (YAML) to the saved triggers.", no_args_is_help=True
)
app.add_typer(triggers_app, name="triggers")


def _read(path: Path) -> list[Trigger]:
    from veneer.triggers import TriggerError, parse_document

    return read_definitions(path, parse_document, TriggerError)


@triggers_app.command("apply")
def apply_command(
    file: Path = typer.Argument(..., help="The triggers file (YAML), as in API.md."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would be added, changed and removed; change nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON only."),
) -> None:
    """Make the saved triggers exactly what FILE lists: add and change those it lists,
    remove those it leaves out. Every error names the bad node ($.triggers[0].when...)."""
    from veneer.jobs.trigger_files import apply_triggers
    from veneer.services import Services
    from veneer.settings import Settings

    wanted = _read(file)

    async def run() -> Plan:
        services = Services(Settings())
        try:
            return await apply_triggers(services, wanted, dry_run)
        finally:
            await services.aclose()

    from veneer.triggers import TriggerError

    try:
        result = asyncio.run(run())
    except TriggerError as exc:
        raise usage_error(f"{file}: {exc}") from exc
    if as_json:
        sys.stdout.write(orjson.dumps({**result.as_json(), "dryRun": dry_run}).decode() + "\n")
    else:
        print_plan(result, dry_run)


@triggers_app.command("export")
def export_command() -> None:
    """Print the saved triggers as a triggers file (YAML); applying it changes nothing."""
    import yaml

    from veneer.jobs.trigger_files import saved_specs
    from veneer.services import Services
    from veneer.settings import Settings

    async def run() -> list[dict[str, Any]]:
        services = Services(Settings())
        try:
            return await saved_specs(services)
        finally:
            await services.aclose()

    document = {"triggers": asyncio.run(run())}
    sys.stdout.write(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
