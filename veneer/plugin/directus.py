"""Veneer's side of a Directus project: a flow that tells Veneer when items change.

Directus 10 deprecated its webhooks in favour of Flows (and 11 removed them), so the
webhook is a flow: an event trigger on item create, update and delete in the chosen
collections, and a request operation that posts the trigger (``{"event", "collection",
"keys"}``) to Veneer with the shared secret in a header.
"""

from __future__ import annotations

from typing import Any

import httpx

from veneer.plugin.webhooks import SECRET_HEADER

FLOW_NAME = "Veneer"
EVENTS = ["items.create", "items.update", "items.delete"]


class DirectusPluginError(Exception):
    """Something the person installing must fix; the message says what."""


def _data(response: httpx.Response, what: str) -> Any:
    if response.status_code >= 400:
        try:
            message = response.json()["errors"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            message = response.text[:200]
        raise DirectusPluginError(f"{what}: Directus answered {response.status_code}: {message}")
    return response.json()["data"]


def admin_token(client: httpx.Client, email: str, password: str) -> str:
    response = client.post("/auth/login", json={"email": email, "password": password})
    return str(_data(response, "--email/--password")["access_token"])


def register_flow(
    client: httpx.Client, token: str, webhook_url: str, secret: str, collections: list[str]
) -> str:
    """Create Veneer's flow, or point the existing one at the new settings; says which."""
    if not collections:
        raise DirectusPluginError("--collections: name at least one, e.g. articles,products")
    auth = {"Authorization": f"Bearer {token}"}
    known = _data(client.get("/collections", headers=auth, params={"limit": -1}), "--token")
    names = {c["collection"] for c in known if c.get("schema")}
    missing = sorted(set(collections) - names)
    if missing:
        ours = sorted(n for n in names if not n.startswith("directus_"))
        raise DirectusPluginError(
            f"--collections: no such collection {', '.join(missing)}; "
            f"this project has {', '.join(ours) or 'none'}"
        )
    flow = {
        "name": FLOW_NAME,
        "icon": "webhook",
        "status": "active",
        "trigger": "event",
        "accountability": "all",
        "options": {"type": "action", "scope": EVENTS, "collections": collections},
    }
    request = {
        "name": "Tell Veneer",
        "key": "tell_veneer",
        "type": "request",
        "position_x": 19,
        "position_y": 1,
        "options": {
            "method": "POST",
            "url": webhook_url,
            "headers": [{"header": SECRET_HEADER, "value": secret}],
            "body": "{{$trigger}}",
        },
    }
    existing = _data(
        client.get("/flows", headers=auth, params={"filter[name][_eq]": FLOW_NAME}), "--token"
    )
    if existing:
        flow_id = existing[0]["id"]
        _data(client.patch(f"/flows/{flow_id}", headers=auth, json=flow), "flow")
        operation = existing[0].get("operation")
        if operation:
            _data(client.patch(f"/operations/{operation}", headers=auth, json=request), "flow")
            return "updated"
    else:
        flow_id = _data(client.post("/flows", headers=auth, json=flow), "flow")["id"]
    created = _data(
        client.post("/operations", headers=auth, json={**request, "flow": flow_id}), "flow"
    )
    _data(
        client.patch(f"/flows/{flow_id}", headers=auth, json={"operation": created["id"]}), "flow"
    )
    return "created" if not existing else "updated"
