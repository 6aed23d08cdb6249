"""Asking a Veneer server that a test started, over HTTP, what it serves and has seen."""

from __future__ import annotations

import re

import httpx


def served_title(base: str, entry_id: str) -> str:
    """The entry's title as Veneer serves it to the demo public key."""
    query = {"query": f'{{ entry(id: "{entry_id}") {{ field(name: "title") }} }}'}
    body = httpx.post(f"{base}/graphql", json=query, headers={"Authorization": "Bearer pk_demo"})
    return str(body.json()["data"]["entry"]["field"])


def webhooks_seen(base: str, source: str, action: str) -> float:
    """How many webhooks of ``source`` and ``action`` Veneer has counted in its metrics."""
    text = httpx.get(f"{base}/metrics").text
    labels = rf'action="{re.escape(action)}",source="{re.escape(source)}"'
    found = re.search(rf"^veneer_webhooks_total\{{{labels}\}} (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0
