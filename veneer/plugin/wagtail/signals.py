"""Wagtail has no outgoing webhooks; these signal handlers post Veneer's.

Settings (Django settings or environment): ``VENEER_WEBHOOK_URL`` (e.g.
``https://veneer.example/v1/webhooks/wagtail``) and ``VENEER_WEBHOOK_SECRET``. Each publish,
unpublish or delete posts ``{"action": ..., "entryIds": [page id]}``, signed with
HMAC-SHA256, once the database transaction commits. A failed post is logged and never blocks
an editor's publish; Veneer's cache TTL bounds how stale it can then be.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx
import orjson
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from veneer.plugin.webhooks import sign

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3.0


def _setting(name: str) -> str | None:
    value = getattr(settings, name, None) or os.environ.get(name)
    return str(value) if value else None


def post_change(action: str, page_id: int) -> None:
    url, secret = _setting("VENEER_WEBHOOK_URL"), _setting("VENEER_WEBHOOK_SECRET")
    if not url or not secret:
        return
    body = orjson.dumps({"action": action, "entryIds": [str(page_id)]})
    headers = {"Content-Type": "application/json", "X-Veneer-Signature": sign(body, secret)}
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        logger.warning("Veneer webhook for page %s (%s) failed: %s", page_id, action, exc)


def _on_commit(action: str, page_id: int) -> None:
    transaction.on_commit(lambda: post_change(action, page_id))


def published(sender: Any, instance: Page, **kwargs: Any) -> None:
    _on_commit("publish", instance.pk)


def unpublished(sender: Any, instance: Page, **kwargs: Any) -> None:
    _on_commit("unpublish", instance.pk)


def deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        _on_commit("delete", instance.pk)


def connect() -> None:
    page_published.connect(published, dispatch_uid="veneer_published")
    page_unpublished.connect(unpublished, dispatch_uid="veneer_unpublished")
    post_delete.connect(deleted, dispatch_uid="veneer_deleted")
