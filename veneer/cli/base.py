"""The `veneer` Typer app and console every command module registers on."""

from __future__ import annotations

import asyncio
import getpass
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console

from veneer.audit import act_as

if TYPE_CHECKING:
    from veneer.services import Services

T = TypeVar("T")

app = typer.Typer(help="Veneer: personalization beside your headless CMS.", no_args_is_help=True)
console = Console()


@app.callback()
def _who_acts() -> None:
    """What a command changes is logged as done by the person at this terminal."""
    act_as(f"cli:{_user()}")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container without a passwd entry for its uid
        return os.environ.get("USER", "unknown")


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
