"""`veneer audit`: the audit log, for a person to read or a script to keep."""

from __future__ import annotations

from typing import Any

import orjson
import typer

from veneer.cli.base import app, console, with_services


@app.command("audit")
def audit(
    limit: int = typer.Option(100, min=1, max=100_000, help="Newest changes to show."),
    as_json: bool = typer.Option(
        False, "--json", help="One JSON object a line, oldest first: for export or a SIEM."
    ),
) -> None:
    """Who changed segments, triggers, placements, experiments, keys and trusted documents."""
    from veneer.services import Services
    from veneer.store.audit import as_entry, changes

    async def read(services: Services) -> list[dict[str, Any]]:
        async with services.db.reading() as session:
            rows = await changes(session, limit)
        return [as_entry(row) for row in reversed(rows)]

    entries = with_services(read)
    if as_json:
        for entry in entries:
            typer.echo(orjson.dumps(entry).decode())
        return
    if not entries:
        console.print("no changes logged yet")
    for entry in entries:
        console.print(
            f"{entry['at'][:19]}  {entry['actor']}  {entry['action']}  {entry['subject']}",
            highlight=False,
            soft_wrap=True,
        )
