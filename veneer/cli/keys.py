"""`veneer keys ...` and `veneer viewer-token`: who may call the API."""

from __future__ import annotations

import asyncio
from enum import StrEnum

import typer
from rich.markup import escape
from rich.table import Table

from veneer.cli.base import app, console
from veneer.identity.keys import KeyKind
from veneer.identity.origins import OriginError, normalize_origins
from veneer.identity.tokens import DEFAULT_TTL, create_viewer_token
from veneer.settings import Settings
from veneer.store import Database
from veneer.store import keys as key_store

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


class KindOption(StrEnum):
    public = "public"
    secret = "secret"


def _origins(texts: list[str]) -> tuple[str, ...]:
    try:
        return normalize_origins(texts)
    except OriginError as exc:
        console.print(f"[red]--origin {escape(str(exc))}[/]", soft_wrap=True)
        raise typer.Exit(2) from exc


@keys_app.command("create")
def keys_create(
    kind: KindOption = typer.Option(..., help="public (browsers, apps) or secret (servers)."),
    name: str = typer.Option("", help="A label to recognise the key by."),
    origin: list[str] = typer.Option(
        [],
        help="A site whose pages may use the key from the browser (https://shop.example, "
        "http://localhost:* for any port); repeat for more.",
    ),
) -> None:
    """Create a key. It is printed once; only its hash is stored."""
    origins = _origins(origin)
    if origins and kind is KindOption.secret:
        console.print("[red]--origin: secret keys stay on servers, which send no Origin[/]")
        raise typer.Exit(2)

    async def create() -> str:
        db = Database(Settings().database_url)
        try:
            async with db.session() as session:
                plain, _ = await key_store.create_key(session, KeyKind(kind.value), name, origins)
            return plain
        finally:
            await db.dispose()

    typer.echo(asyncio.run(create()))


@keys_app.command("origins")
def keys_origins(
    key_id: int,
    add: list[str] = typer.Option([], help="An origin to allow; repeat for more."),
    remove: list[str] = typer.Option([], help="An origin to stop allowing; repeat for more."),
    clear: bool = typer.Option(False, help="Allow no origin (before any --add)."),
) -> None:
    """Show or change the sites whose pages may use a key (see `veneer keys list` for ids).

    Running servers follow the change within a minute.
    """
    added, removed = _origins(add), _origins(remove)

    async def change() -> list[str] | None:
        db = Database(Settings().database_url)
        try:
            async with db.session() as session:
                current = await key_store.origins_of(session, key_id)
                if current is None:
                    return None
                kept = [] if clear else [o for o in current if o not in removed]
                origins = list(dict.fromkeys([*kept, *added]))
                if origins != current:
                    await key_store.set_origins(session, key_id, origins)
                return origins
        finally:
            await db.dispose()

    origins = asyncio.run(change())
    if origins is None:
        console.print(f"[red]no active key with id {key_id}[/]")
        raise typer.Exit(1)
    typer.echo("\n".join(origins) if origins else "(no origins: browsers may not use this key)")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (prefixes only) and whether they are revoked."""

    async def rows() -> list[tuple[str, ...]]:
        db = Database(Settings().database_url)
        try:
            async with db.reading() as session:
                return [
                    (
                        str(r.id),
                        r.kind,
                        r.prefix + "…",
                        r.name,
                        "\n".join(r.origins),
                        r.created_at.isoformat(timespec="seconds"),
                        "revoked" if r.revoked_at else "active",
                    )
                    for r in await key_store.list_keys(session)
                ]
        finally:
            await db.dispose()

    table = Table("id", "kind", "key", "name", "origins", "created", "state")
    for row in asyncio.run(rows()):
        table.add_row(*row)
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: int) -> None:
    """Revoke a key by its id (see `veneer keys list`)."""

    async def revoke() -> bool:
        db = Database(Settings().database_url)
        try:
            async with db.session() as session:
                return await key_store.revoke_key(session, key_id)
        finally:
            await db.dispose()

    if not asyncio.run(revoke()):
        console.print(f"[red]no active key with id {key_id}[/]")
        raise typer.Exit(1)
    console.print(f"key {key_id} revoked (running servers drop it within a minute)")


@app.command("viewer-token")
def viewer_token(
    user_id: str,
    ttl: int = typer.Option(DEFAULT_TTL, help="Seconds the token stays valid."),
    anonymous_id: str | None = typer.Option(
        None, help="The device (X-Veneer-Anonymous-Id) the token vouches is the user's."
    ),
) -> None:
    """Sign a viewer token (an HS256 JWT) for USER_ID with VENEER_SECRET, for testing."""
    settings = Settings()
    try:
        secret = settings.signing_secret()
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/]", soft_wrap=True)
        raise typer.Exit(2) from exc
    typer.echo(create_viewer_token(user_id, secret, ttl, anonymous_id=anonymous_id))
