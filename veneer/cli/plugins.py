"""`veneer plugin install strapi|directus`: put Veneer's variants and webhook into a CMS."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import httpx
import typer

from veneer.cli.base import app, console
from veneer.plugin import directus, strapi
from veneer.settings import Settings

plugin_app = typer.Typer(help="Install Veneer's side of a CMS.", no_args_is_help=True)
install_app = typer.Typer(help="Install the plugin for one CMS.", no_args_is_help=True)
plugin_app.add_typer(install_app, name="install")
app.add_typer(plugin_app, name="plugin")


def _fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


@install_app.command("strapi")
def install_strapi(
    project_dir: Path | None = typer.Option(
        None, help="The Strapi project to add the variant component to."
    ),
    content_types: str = typer.Option(
        "", help="Collection types (singular names) that get variants, comma separated."
    ),
    url: str | None = typer.Option(None, help="The running Strapi, for the webhook."),
    email: str | None = typer.Option(None, help="Admin e-mail, to log in to the admin API."),
    password: str | None = typer.Option(None, help="Admin password.", envvar="STRAPI_PASSWORD"),
    token: str | None = typer.Option(
        None,
        help="An admin API bearer token instead of --email/--password.",
        envvar="STRAPI_ADMIN_TOKEN",
    ),
    webhook_url: str | None = typer.Option(
        None, help="Where Strapi posts changes: Veneer's /v1/webhooks/strapi."
    ),
) -> None:
    """Add variants to chosen collection types (--project-dir) and register the webhook (--url).

    Schema files change only on disk: restart Strapi (or let `strapi develop` reload) to load
    them. The webhook carries VENEER_WEBHOOK_SECRET in the X-Veneer-Webhook-Secret header.
    """
    if project_dir is None and url is None:
        _fail("give --project-dir (component and fields), --url (webhook), or both")
    try:
        if project_dir is not None:
            types = [t.strip() for t in content_types.split(",") if t.strip()]
            report = strapi.install_files(project_dir, types)
            for path in report.changed:
                console.print(f"wrote {path}")
            for path in report.unchanged:
                console.print(f"[dim]already installed: {path}[/dim]")
            if report.changed:
                console.print("Restart Strapi to load the variant component.")
        if url is not None:
            _register(url, email, password, token, webhook_url)
    except strapi.StrapiPluginError as exc:
        _fail(str(exc))


def _secret() -> str:
    secret = Settings().webhook_secret
    if not secret:
        _fail("VENEER_WEBHOOK_SECRET: set it, so Veneer can tell the CMS's webhooks from forgeries")
    return secret


def _register(
    url: str, email: str | None, password: str | None, token: str | None, webhook_url: str | None
) -> None:
    if webhook_url is None:
        _fail("--webhook-url: needed with --url, e.g. https://veneer.example/v1/webhooks/strapi")
    secret = _secret()
    try:
        with httpx.Client(base_url=url.rstrip("/"), timeout=10) as client:
            if token is None:
                if not (email and password):
                    _fail("--email and --password (or --token): needed to reach the admin API")
                token = strapi.admin_token(client, email, password)
            outcome = strapi.register_webhook(client, token, webhook_url, secret)
    except httpx.TransportError as exc:
        _fail(f"--url: cannot reach Strapi at {url}: {exc}")
    console.print(f"webhook {outcome}: Strapi posts entry changes to {webhook_url}")


@install_app.command("directus")
def install_directus(
    url: str = typer.Option(..., help="The running Directus."),
    webhook_url: str = typer.Option(
        ..., help="Where Directus posts changes: Veneer's /v1/webhooks/directus."
    ),
    collections: str = typer.Option(
        ..., help="Collections whose changes Veneer should hear of, comma separated."
    ),
    email: str | None = typer.Option(None, help="Admin e-mail, to log in."),
    password: str | None = typer.Option(None, help="Admin password.", envvar="DIRECTUS_PASSWORD"),
    token: str | None = typer.Option(
        None, help="An admin's static token instead of --email/--password.", envvar="DIRECTUS_TOKEN"
    ),
) -> None:
    """Create (or update) a Directus flow that posts item changes to Veneer.

    Variants need no install in Directus: add a JSON field named `variants` (the List
    interface suits it) to the collections that should have them.
    """
    secret = _secret()
    names = [c.strip() for c in collections.split(",") if c.strip()]
    try:
        with httpx.Client(base_url=url.rstrip("/"), timeout=10) as client:
            if token is None:
                if not (email and password):
                    _fail("--email and --password (or --token): needed to create the flow")
                token = directus.admin_token(client, email, password)
            outcome = directus.register_flow(client, token, webhook_url, secret, names)
    except httpx.TransportError as exc:
        _fail(f"--url: cannot reach Directus at {url}: {exc}")
    except directus.DirectusPluginError as exc:
        _fail(str(exc))
    console.print(f"flow {outcome}: Directus posts item changes to {webhook_url}")
