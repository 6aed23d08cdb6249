"""``GET/POST /v1/consent``: the preference center, mirroring `setConsent` for REST clients."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from veneer import json_values
from veneer.consent import ConsentState, Purpose
from veneer.consent.decisions import ConsentInputError, check_decisions
from veneer.identity.principal import Principal
from veneer.services import Services
from veneer.web.bodies import read_body
from veneer.web.errors import error_response

MAX_BODY = 16_384


def _state_json(state: ConsentState) -> dict[str, Any]:
    return {
        "purpose": state.purpose.value,
        "granted": state.granted,
        "updatedAt": state.updated_at.isoformat() if state.updated_at else None,
        "source": state.source,
        "policyVersion": state.policy_version,
    }


async def _current(services: Services, principal: Principal) -> Response:
    state = await services.viewer_state(principal.viewer, principal.gpc)
    return JSONResponse({"purposes": [_state_json(s) for s in state.consent.values()]})


def _parse(body: bytes) -> tuple[list[tuple[Purpose, bool]], str | None, str | None]:
    try:
        document = json_values.loads(body)
    except json_values.DecodeError as exc:
        raise ConsentInputError("body", f"not valid JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise ConsentInputError("body", 'must be an object: {"purposes": [...]}')
    items = document.get("purposes")
    if not isinstance(items, list):
        raise ConsentInputError("purposes", 'must be a list of {"purpose": ..., "granted": ...}')
    choices: list[tuple[Purpose, bool]] = []
    for index, item in enumerate(items):
        where = f"purposes[{index}]"
        if not isinstance(item, dict):
            raise ConsentInputError(where, "must be an object")
        try:
            purpose = Purpose(item.get("purpose"))
        except ValueError as exc:
            known = " ".join(p.value for p in Purpose)
            raise ConsentInputError(f"{where}.purpose", f"must be one of {known}") from exc
        if not isinstance(item.get("granted"), bool):
            raise ConsentInputError(f"{where}.granted", "must be true or false")
        choices.append((purpose, item["granted"]))
    labels = []
    for name in ("source", "policyVersion"):
        value = document.get(name)
        if value is not None and not isinstance(value, str):
            raise ConsentInputError(name, "must be a string")
        labels.append(value)
    return choices, labels[0], labels[1]


async def consent_endpoint(request: Request) -> Response:
    services: Services = request.app.state.services
    principal: Principal = request.state.principal
    if principal.viewer is None:
        return error_response(
            400, "X-Veneer-Anonymous-Id or X-Veneer-Viewer-Token: name the viewer"
        )
    if request.method == "GET":
        return await _current(services, principal)
    body = await read_body(request, MAX_BODY)
    try:
        choices, source, policy_version = _parse(body)
        decisions = check_decisions(choices, source, policy_version)
    except ConsentInputError as exc:
        return error_response(400, str(exc), field=exc.field)
    await services.record_consent(principal.viewer, decisions, principal.gpc)
    return await _current(services, principal)
