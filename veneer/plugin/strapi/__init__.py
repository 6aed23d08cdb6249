"""Veneer's side of a Strapi 5 project: the variant component and the webhook.

Strapi's content-type builder only writes schemas in development mode and restarts the server
to load them, so the component is installed the way Strapi itself stores it: as schema files in
the project (``src/components/veneer/variant.json`` plus a repeatable ``variants`` attribute on
each chosen collection type). The webhook is registered through the admin API of the running
server, which Strapi keeps in its database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from veneer.plugin.webhooks import SECRET_HEADER

COMPONENT = "veneer.variant"
COMPONENT_SCHEMA = Path(__file__).with_name("variant.json")
VARIANTS_ATTRIBUTE = {"type": "component", "repeatable": True, "component": COMPONENT}
WEBHOOK_NAME = "Veneer"
WEBHOOK_EVENTS = [
    "entry.create",
    "entry.update",
    "entry.delete",
    "entry.publish",
    "entry.unpublish",
]


class StrapiPluginError(Exception):
    """Something the person installing must fix; the message says what."""


@dataclass(frozen=True)
class FilesReport:
    changed: list[Path]
    unchanged: list[Path]


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _schema_path(project: Path, content_type: str) -> Path:
    return project / "src" / "api" / content_type / "content-types" / content_type / "schema.json"


def collection_types(project: Path) -> list[str]:
    return sorted(
        p.parent.name for p in (project / "src" / "api").glob("*/content-types/*/schema.json")
    )


def install_files(project: Path, content_types: list[str]) -> FilesReport:
    """Add the component and a ``variants`` attribute; a second run changes nothing."""
    package = project / "package.json"
    if not package.is_file() or "@strapi/strapi" not in package.read_text():
        raise StrapiPluginError(
            f"--project-dir: {project} is not a Strapi project (no @strapi/strapi in package.json)"
        )
    if not content_types:
        raise StrapiPluginError("--content-types: name at least one, e.g. article,product")
    known = collection_types(project)
    missing = [t for t in content_types if t not in known]
    if missing:
        raise StrapiPluginError(
            f"--content-types: no such collection type {', '.join(missing)}; "
            f"this project has {', '.join(known) or 'none'}"
        )
    changed: list[Path] = []
    unchanged: list[Path] = []
    component = project / "src" / "components" / "veneer" / "variant.json"
    wanted = json.loads(COMPONENT_SCHEMA.read_text())
    if component.is_file() and json.loads(component.read_text()) == wanted:
        unchanged.append(component)
    else:
        _write_json(component, wanted)
        changed.append(component)
    for content_type in content_types:
        path = _schema_path(project, content_type)
        schema = json.loads(path.read_text())
        attributes = schema.setdefault("attributes", {})
        existing = attributes.get("variants")
        if existing == VARIANTS_ATTRIBUTE:
            unchanged.append(path)
            continue
        if existing is not None:
            raise StrapiPluginError(
                f"{content_type}: already has a 'variants' attribute that is not Veneer's; "
                "rename it first"
            )
        attributes["variants"] = VARIANTS_ATTRIBUTE
        _write_json(path, schema)
        changed.append(path)
    return FilesReport(changed, unchanged)


def _admin_error(response: httpx.Response, what: str) -> StrapiPluginError:
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text[:200]
    return StrapiPluginError(f"{what}: Strapi answered {response.status_code}: {message}")


def admin_token(client: httpx.Client, email: str, password: str) -> str:
    """Log in to the admin API as an editor who may manage webhooks."""
    response = client.post("/admin/login", json={"email": email, "password": password})
    if response.status_code != 200:
        raise _admin_error(response, "--email/--password")
    return str(response.json()["data"]["token"])


def register_webhook(client: httpx.Client, token: str, webhook_url: str, secret: str) -> str:
    """Create Veneer's webhook, or update it in place; returns "created" or "updated"."""
    auth = {"Authorization": f"Bearer {token}"}
    listing = client.get("/admin/webhooks", headers=auth)
    if listing.status_code != 200:
        raise _admin_error(listing, "--token")
    body = {
        "name": WEBHOOK_NAME,
        "url": webhook_url,
        "headers": {SECRET_HEADER: secret},
        "events": WEBHOOK_EVENTS,
    }
    ours = [w for w in listing.json()["data"] if w.get("name") == WEBHOOK_NAME]
    if ours:
        response = client.put(f"/admin/webhooks/{ours[0]['id']}", headers=auth, json=body)
        outcome = "updated"
    else:
        response = client.post("/admin/webhooks", headers=auth, json=body)
        outcome = "created"
    if response.status_code not in (200, 201):
        raise _admin_error(response, "--webhook-url")
    return outcome
