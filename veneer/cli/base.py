"""The `veneer` Typer app and console every command module registers on."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="Veneer: personalization beside your headless CMS.", no_args_is_help=True)
console = Console()


def usage_error(message: str) -> typer.Exit:
    """Print ``message`` as a command-line error; raise the result to exit with status 2."""
    console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)
