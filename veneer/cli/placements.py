"""`veneer placements apply FILE [--dry-run]`, `export` and `list`: placements kept in
version control like triggers; `veneer email-url` and `veneer email-key` sign the URLs email
tools fetch blocks from."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import orjson
import typer

from veneer.cli.base import app, usage_error, with_services
from veneer.cli.plans import print_plan, read_definitions

if TYPE_CHECKING:
    from veneer.placements.definition import Placement
    from veneer.services import Services
    from veneer.triggers.plan import Plan

T = TypeVar("T")
placements_app = typer.Typer(
    help="Placements: the named slots blocks fill (web, apps, email).", no_args_is_help=True
)
app.add_typer(placements_app, name="placements")


def _read(path: Path) -> list[Placement]:
    from veneer.placements.definition import PlacementError, parse_placements_file

    return read_definitions(path, parse_placements_file, PlacementError)


@placements_app.command("apply")
def apply_command(
    file: Path = typer.Argument(..., help="The placements file (YAML): `placements: [...]`."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would be added, changed and removed; change nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON only."),
) -> None:
    """Make the saved placements exactly what FILE lists. Entries, content types and
    templates are checked against the CMS and the templates first."""
    from veneer.content_adapters import ContentError
    from veneer.jobs.placements import apply_placements
    from veneer.placements.definition import PlacementError

    wanted = _read(file)

    async def apply(services: Services) -> Plan:
        return await apply_placements(services, wanted, dry_run)

    try:
        result = with_services(apply)
    except PlacementError as exc:
        raise usage_error(f"{file}: {exc}") from exc
    except ContentError as exc:
        raise usage_error(f"the CMS did not answer, nothing was changed: {exc}") from exc
    if as_json:
        sys.stdout.write(orjson.dumps({**result.as_json(), "dryRun": dry_run}).decode() + "\n")
    else:
        print_plan(result, dry_run)


@placements_app.command("export")
def export_command() -> None:
    """Print the saved placements as a placements file; applying it changes nothing."""
    import yaml

    from veneer.jobs.placements import saved_specs

    document = {"placements": with_services(saved_specs)}
    sys.stdout.write(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


@app.command("email-url")
def email_url(
    user_id: str = typer.Argument(..., help="The user the block is for (their userId)."),
    placement: str = typer.Argument(..., help="The placement's key."),
    expires: str = typer.Option(
        "", help="How long the URL works (30m, 48h, 30d); default: VENEER_EMAIL_URL_TTL."
    ),
    text: bool = typer.Option(False, "--text", help="The plain-text alternative (.txt)."),
) -> None:
    """Print a signed URL of USER_ID's block in PLACEMENT, for an email tool to fetch."""
    from veneer.identity.signed_urls import block_url
    from veneer.placements.definition import NAME
    from veneer.segments.rules import RuleError, parse_window
    from veneer.settings import Settings

    settings = Settings()
    if not NAME.match(placement):
        raise usage_error(f"placement: {placement!r} is not a placement key")
    try:
        lifetime = parse_window(expires, "--expires") if expires else settings.email_url_ttl
    except RuleError as exc:
        raise usage_error(str(exc)) from exc
    try:
        secret = settings.signing_secret()
    except RuntimeError as exc:
        raise usage_error(str(exc)) from exc
    base = settings.public_url or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    url = block_url(base, secret, placement, user_id, datetime.now(UTC) + lifetime, text)
    sys.stdout.write(url + "\n")


@app.command("email-key")
def email_key(
    campaign: str = typer.Argument(..., help="A name for the campaign (or email tool)."),
) -> None:
    """Print the key CAMPAIGN signs block URLs with, for an email tool that signs each
    recipient's URL itself (hmac_sha256 of `placement:userId:expires`, &campaign=CAMPAIGN)."""
    from veneer.identity.signed_urls import campaign_key
    from veneer.settings import Settings

    try:
        secret = Settings().signing_secret()
    except RuntimeError as exc:
        raise usage_error(str(exc)) from exc
    sys.stdout.write(campaign_key(secret, campaign) + "\n")
