"""``POST /v1/segments/assign``: which discovered cluster a viewer, or a feature vector, is in.

Nearest centroid of the latest clustering model, no refit: cheap enough to call per request
from a backend. Secret keys only, since a viewer's behaviour is read.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from veneer import json_values
from veneer.identity.keys import KeyKind
from veneer.identity.principal import Principal
from veneer.jobs.behaviour import behaviour_by_viewer
from veneer.jobs.cluster_assignment import model_features
from veneer.segments.cluster_model import ClusterModel
from veneer.services import Services
from veneer.store.clusters import latest_model
from veneer.web.bodies import read_body
from veneer.web.errors import error_response

MAX_BODY = 16_384


class AssignError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def _vector(model: ClusterModel, given: Any) -> list[float]:
    if not isinstance(given, dict):
        raise AssignError("features", "must be an object of feature name: number")
    unknown = sorted(set(given) - set(model.features))
    if unknown:
        raise AssignError(
            f"features.{unknown[0]}",
            f"not a feature of model {model.version}; it has: " + ", ".join(model.features),
        )
    vector = []
    for name in model.features:
        value = given.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise AssignError(f"features.{name}", "must be a number >= 0")
        vector.append(float(value))
    return vector


async def assign_endpoint(request: Request) -> Response:
    services: Services = request.app.state.services
    principal: Principal = request.state.principal
    if principal.key.kind is not KeyKind.SECRET:
        return error_response(403, "assigning viewers to clusters needs a secret key")
    body = await read_body(request, MAX_BODY)
    try:
        document = json_values.loads(body)
    except json_values.DecodeError as exc:
        return error_response(400, f"body: not valid JSON ({exc})", field="body")
    if not isinstance(document, dict) or ("features" in document) == ("viewerId" in document):
        return error_response(
            400, 'body: give either {"features": {...}} or {"viewerId": "..."}', field="body"
        )
    async with services.db.reading() as session:
        stored = await latest_model(session)
    if stored is None:
        return error_response(409, "no clustering yet: run `veneer segments cluster` first")
    model = ClusterModel.from_json(stored)
    try:
        if "viewerId" in document:
            viewer_id = document["viewerId"]
            if not isinstance(viewer_id, str) or not viewer_id:
                raise AssignError("viewerId", "must be a viewer id such as anon:abc")
            rows = await behaviour_by_viewer(services, model_features(model), [viewer_id])
            vector = rows.get(viewer_id, [0.0] * len(model.features))
        else:
            vector = _vector(model, document["features"])
    except AssignError as exc:
        return error_response(400, str(exc), field=exc.field)
    cluster = model.assign(vector)
    return JSONResponse(
        {
            "version": model.version,
            "cluster": cluster,
            "name": model.names.get(cluster),
            "features": dict(zip(model.features, vector, strict=True)),
        }
    )
