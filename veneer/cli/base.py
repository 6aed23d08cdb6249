"""The `veneer` Typer app and console every command module registers on."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="Veneer: personalization beside your headless CMS.", no_args_is_help=True)
console = Console()
