"""The `veneer` Typer app and console every command module registers on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from veneer.services import Services

T = TypeVar("T")

app = typer.Typer(help="Veneer: personalization beside your headless CMS.", no_args_is_help=True)
console = Console()


def usage_error(message: str) -> typer.Exit:
    """Print ``message`` as a command-line error; raise the result to exit with status 2."""
    console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def with_services(work: Callable[[Services], Awaitable[T]]) -> T:
    """Run ``work`` with the deployment's services (from the environment), then close them."""
    from veneer.services import Services  # load on use: `veneer --help` stays fast
    from veneer.settings import Settings

    async def main() -> T:
        services = Services(Settings())
        try:
            return await work(services)
        finally:
            await services.aclose()

    return asyncio.run(main())
