"""``POST /v1/events``: a JSON array of events in, ``202`` with a per-event account out."""

from __future__ import annotations

from typing import Any

from starlette.background import BackgroundTasks
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from veneer import json_values
from veneer.identity.principal import Principal
from veneer.jobs.ingest import TrackResult, track
from veneer.services import Services
from veneer.web.bodies import read_body
from veneer.web.errors import error_response


def result_json(result: TrackResult) -> dict[str, Any]:
    return {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "withoutConsent": result.without_consent,
        "rejected": [
            {"index": e.index, "field": e.field, "message": e.message} for e in result.rejected
        ],
    }


async def post_events(request: Request) -> Response:
    services: Services = request.app.state.services
    principal: Principal = request.state.principal
    settings = services.settings
    body = await read_body(request, settings.max_batch_bytes)
    try:
        batch = json_values.loads(body)
    except json_values.DecodeError as exc:
        return error_response(400, f"body: not valid JSON ({exc})", field="body")
    if not isinstance(batch, list):
        return error_response(400, "body: must be a JSON array of events", field="body")
    if len(batch) > settings.max_batch_events:
        return error_response(
            413,
            f"body: {len(batch)} events; at most {settings.max_batch_events} per request",
            field="body",
        )
    later = BackgroundTasks()
    result = await track(services, batch, principal.key, principal.viewer, later.add_task)
    return JSONResponse(result_json(result), status_code=202, background=later)
