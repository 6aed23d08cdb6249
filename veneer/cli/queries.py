"""`veneer queries register MANIFEST` and `veneer queries list`: the trusted documents, which
public keys alone may run where `VENEER_TRUSTED_DOCUMENTS_ONLY` is on."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import typer

from veneer.cli.base import app, console, usage_error, with_services

queries_app = typer.Typer(
    help="Trusted documents: register the GraphQL documents your apps were built with.",
    no_args_is_help=True,
)
app.add_typer(queries_app, name="queries")


@queries_app.command("register")
def register_command(
    manifest: Path = typer.Argument(
        ..., help="Apollo's persisted-query manifest, or Relay's map of SHA-256 to text."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be added only."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON only."),
) -> None:
    """Register every document of MANIFEST that is not registered yet. Registering is
    additive: a document an older app release still sends stays registered."""
    from veneer.jobs.queries import register
    from veneer.queries.manifest import ManifestError, parse_manifest

    try:
        raw = orjson.loads(manifest.read_bytes())
    except OSError as exc:
        raise usage_error(f"cannot read {manifest}: {exc.strerror or exc}") from exc
    except orjson.JSONDecodeError as exc:
        raise usage_error(f"{manifest} is not JSON: {exc}") from exc
    try:
        documents = parse_manifest(raw)
    except ManifestError as exc:
        raise usage_error(f"{manifest}: {exc}") from exc
    added = with_services(lambda services: register(services, documents, dry_run))
    unchanged = len({d.sha256 for d in documents}) - len(added)
    if as_json:
        result = {"added": added, "unchanged": unchanged, "dryRun": dry_run}
        sys.stdout.write(orjson.dumps(result).decode() + "\n")
        return
    verb = "would be added" if dry_run else "added"
    console.print(
        f"{len(added)} document(s) {verb}, {unchanged} already registered.", highlight=False
    )


@queries_app.command("list")
def list_command() -> None:
    """Print the registered documents: SHA-256, operation name, registered at."""
    from veneer.jobs.queries import registered

    rows = with_services(registered)
    if not rows:
        console.print("no trusted documents yet: `veneer queries register MANIFEST`")
    for row in rows:
        console.print(
            f"{row.sha256}  {row.name or '-'}  {row.registered_at:%Y-%m-%d %H:%M}",
            highlight=False,
            soft_wrap=True,
        )
