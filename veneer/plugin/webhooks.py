"""Reading CMS webhooks: is it genuine, and which entries did it change?

Pure: each source's verification and payload reading take the headers and body and return
plain data. Wagtail (through `veneer.plugin.wagtail`) and the generic format sign the body
with HMAC-SHA256; Strapi and Contentful send a shared secret in a header their admin lets
you configure; WordPress (via a webhook plugin) and Directus (webhooks or a flow) do the same.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SIGNATURE_HEADER = "x-veneer-signature"
SECRET_HEADER = "x-veneer-webhook-secret"
SOURCES = ("wagtail", "generic", "strapi", "contentful", "wordpress", "directus")


class WebhookError(ValueError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ContentChange:
    """What a webhook says changed: an action and the ids of the entries it touched."""

    action: str
    entry_ids: tuple[str, ...]


def sign(body: bytes, secret: str) -> str:
    """The ``X-Veneer-Signature`` value for ``body``: what senders must compute."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(source: str, headers: Mapping[str, str], body: bytes, secret: str) -> None:
    if source not in SOURCES:
        raise WebhookError(
            404, f"source: unknown webhook source {source!r}; one of {', '.join(SOURCES)}"
        )
    if source in ("wagtail", "generic"):
        given = headers.get(SIGNATURE_HEADER)
        if not given:
            raise WebhookError(401, "X-Veneer-Signature: missing; sign the body with HMAC-SHA256")
        if not hmac.compare_digest(given.encode(), sign(body, secret).encode()):
            raise WebhookError(401, "X-Veneer-Signature: does not match the body")
        return
    given = headers.get(SECRET_HEADER)
    if not given:
        raise WebhookError(401, "X-Veneer-Webhook-Secret: missing; configure it as a header")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise WebhookError(401, "X-Veneer-Webhook-Secret: wrong secret")


def _ids(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise WebhookError(400, "entryIds: must be a non-empty list")
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise WebhookError(400, "entryIds: must be strings or numbers")
    return tuple(str(v) for v in values)


def read_change(source: str, payload: Any, headers: Mapping[str, str]) -> ContentChange:
    """The change a verified payload describes, in each CMS's documented shape."""
    if not isinstance(payload, dict):
        raise WebhookError(400, "body: must be a JSON object")
    if source in ("wagtail", "generic"):
        action = payload.get("action")
        if not isinstance(action, str) or not action:
            raise WebhookError(400, "action: must name the change, e.g. publish")
        return ContentChange(action, _ids(payload.get("entryIds")))
    if source == "strapi":  # {"event": "entry.publish", "model": "...", "entry": {...}}
        event, entry = payload.get("event"), payload.get("entry")
        if not isinstance(event, str) or not isinstance(entry, dict):
            raise WebhookError(400, "event and entry: a Strapi webhook has both")
        document = entry.get("documentId", entry.get("id"))
        return ContentChange(event.removeprefix("entry."), _ids([document]))
    if source == "contentful":  # X-Contentful-Topic: ContentManagement.Entry.publish
        topic = headers.get("x-contentful-topic", "")
        sys = payload.get("sys")
        if not topic or not isinstance(sys, dict):
            raise WebhookError(400, "X-Contentful-Topic and sys: a Contentful webhook has both")
        return ContentChange(topic.rsplit(".", 1)[-1], _ids([sys.get("id")]))
    if source == "directus":  # {"event": "items.update", "collection": "articles", "keys": [..]}
        event, collection = payload.get("event"), payload.get("collection")
        if not isinstance(event, str) or not isinstance(collection, str) or not collection:
            raise WebhookError(400, "event and collection: a Directus webhook has both")
        keys = payload.get("keys", [payload["key"]] if "key" in payload else None)
        ids = _ids(keys)
        return ContentChange(event.rsplit(".", 1)[-1], tuple(f"{collection}:{k}" for k in ids))
    post_id = payload.get("ID", payload.get("id"))  # wordpress: the post object
    return ContentChange(str(payload.get("action", "update")), _ids([post_id]))
