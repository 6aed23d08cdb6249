"""``POST /v1/webhooks/{source}``: a CMS says content changed; Veneer drops what it cached.

Signed by the CMS rather than sent with an API key. A webhook that is unsigned, forged or
malformed gets a 4xx and invalidates nothing. With Redis the content cache is shared, so
one invalidation reaches every app server.
"""

from __future__ import annotations

import logging

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from veneer import json_values
from veneer.metrics import WEBHOOKS
from veneer.plugin.webhooks import WebhookError, read_change, verify
from veneer.services import Services
from veneer.web.bodies import read_body
from veneer.web.errors import error_response

logger = logging.getLogger(__name__)
MAX_BODY = 1_000_000


async def receive_webhook(request: Request) -> Response:
    services: Services = request.app.state.services
    source = request.path_params["source"]
    secret = services.settings.webhook_secret
    if not secret:
        return error_response(503, "webhooks are off: set VENEER_WEBHOOK_SECRET")
    body = await read_body(request, MAX_BODY)
    try:
        verify(source, request.headers, body, secret)
        try:
            payload = json_values.loads(body)
        except json_values.DecodeError as exc:
            raise WebhookError(400, f"body: not valid JSON ({exc})") from exc
        change = read_change(source, payload, request.headers)
    except WebhookError as exc:
        return error_response(exc.status, exc.message)
    await services.content_changed()
    WEBHOOKS.labels(source, change.action).inc()
    logger.info("%s webhook: %s %s; content cache dropped", source, change.action, change.entry_ids)
    # A change may add a content type or field: every process re-checks its typed schema.
    return JSONResponse(
        {"invalidated": list(change.entry_ids), "action": change.action},
        background=BackgroundTask(services.content_bus.publish),
    )
