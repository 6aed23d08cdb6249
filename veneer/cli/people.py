"""`veneer forget` and `veneer export`: a person's rights of erasure and access."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import orjson
import typer

from veneer.cli.base import app, console
from veneer.identity.viewer import Viewer
from veneer.jobs import people
from veneer.services import Services
from veneer.settings import Settings


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
            return await people.forget(services, _person(person_id, anonymous), requested_by="cli")
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
            return await people.export(services, _person(person_id, anonymous))
        finally:
            await services.aclose()

    document = orjson.dumps(asyncio.run(run()), option=orjson.OPT_INDENT_2)
    if output is None:
        sys.stdout.write(document.decode() + "\n")
    else:
        output.write_bytes(document + b"\n")
        console.print(f"wrote {output}")
