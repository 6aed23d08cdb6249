"""``GET /v1/openapi.json``: the OpenAPI 3.1 document of Veneer's HTTP endpoints.

Client generators, API explorers and schemathesis read it, so it describes each endpoint as it
behaves, every status it can answer included. It is built from the same values the endpoints
use (the event model, the consent purposes, the webhook sources, the body limits), once per
set of limits, and served as bytes.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from veneer import __version__
from veneer.identity.viewer import ID_PATTERN
from veneer.plugin.webhooks import SOURCES
from veneer.services import Services
from veneer.web import consent, segments, webhooks
from veneer.web.openapi_blocks import block_schemas, email_block, personalize_content
from veneer.web.openapi_schemas import Schema, component_schemas, ref

CACHE_CONTROL = "public, max-age=3600"
VIEWER = ["AnonymousId", "ViewerToken", "UserId", "SecGPC"]
NO_KEY: list[dict[str, list[str]]] = []  # an operation anyone may call


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> Schema:
    return _json(ref("Error"), description)


def _header(name: str, description: str, schema: Schema) -> Schema:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _parameters() -> dict[str, Schema]:
    viewer_id = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}
    return {
        "AnonymousId": _header(
            "X-Veneer-Anonymous-Id", "The device or browser the request acts for.", viewer_id
        ),
        "ViewerToken": _header(
            "X-Veneer-Viewer-Token",
            "A logged-in viewer: an HS256 JWT signed with VENEER_SECRET, naming `sub`.",
            {"type": "string"},
        ),
        "UserId": _header(
            "X-Veneer-User-Id", "Names any user; secret keys only (403 otherwise).", viewer_id
        ),
        "SecGPC": _header(
            "Sec-GPC",
            "Global Privacy Control: `1` denies THIRD_PARTY whatever was recorded.",
            {"type": "string", "enum": ["1"]},
        ),
    }


def _responses() -> dict[str, Schema]:
    return {
        "BadRequest": _error(
            "Not well formed: the message names the input at fault, as `extensions.field` "
            "does where given."
        ),
        "Unauthenticated": _error("No key, an unknown or revoked key, or an invalid viewer token."),
        "Forbidden": _error("The key may not do this, e.g. X-Veneer-User-Id with a public key."),
        "PayloadTooLarge": _error("The body is over the endpoint's limit."),
    }


def _viewer_parameters() -> list[Schema]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in VIEWER]


def _refused(*statuses: int) -> dict[str, Schema]:
    """The shared error answers; 400, 401 and 403 come from the viewer headers on any path."""
    names = {400: "BadRequest", 401: "Unauthenticated", 403: "Forbidden", 413: "PayloadTooLarge"}
    return {str(s): {"$ref": f"#/components/responses/{names[s]}"} for s in statuses}


def _events(max_events: int, max_bytes: int) -> Schema:
    return {
        "post": {
            "operationId": "trackEvents",
            "summary": "Send a batch of events",
            "description": (
                "Each event is checked on its own: a bad one is listed in `rejected` and the "
                "valid ones in the same batch are kept. A public key sends events for its own "
                f"viewer only. At most {max_events} events and {max_bytes} bytes."
            ),
            "parameters": _viewer_parameters(),
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"type": "array", "maxItems": max_events, "items": ref("Event")}
                    }
                },
            },
            "responses": {
                "202": _json(ref("TrackResult"), "The batch, accounted for event by event."),
                **_refused(400, 401, 403),
                "413": _error(f"Over {max_events} events or {max_bytes} bytes."),
            },
        }
    }


def _consent() -> Schema:
    answer = _json(ref("Consent"), "The viewer's consent, every purpose.")
    no_viewer = "No viewer named, a malformed viewer header, or (POST) a bad decision."
    return {
        "parameters": _viewer_parameters(),
        "get": {
            "operationId": "getConsent",
            "summary": "The viewer's consent",
            "responses": {"200": answer, **_refused(401, 403), "400": _error(no_viewer)},
        },
        "post": {
            "operationId": "setConsent",
            "summary": "Record the viewer's consent decisions",
            "description": f"Bodies up to {consent.MAX_BODY} bytes.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("ConsentUpdate")}},
            },
            "responses": {"200": answer, **_refused(401, 403, 413), "400": _error(no_viewer)},
        },
    }


def _webhooks() -> Schema:
    hmac = ", ".join(s for s in SOURCES if s in ("wagtail", "generic"))
    return {
        "post": {
            "operationId": "receiveWebhook",
            "summary": "A CMS says content changed: drop the cached content",
            "description": (
                f"Signed instead of sent with an API key: {hmac} sign the body "
                "(`X-Veneer-Signature: sha256=<HMAC-SHA256 hex>` with VENEER_WEBHOOK_SECRET); "
                "the others send the secret itself in `X-Veneer-Webhook-Secret`. "
                f"Bodies up to {webhooks.MAX_BODY} bytes."
            ),
            "security": NO_KEY,
            "parameters": [
                {
                    "name": "source",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": list(SOURCES)},
                },
                _header("X-Veneer-Signature", "For wagtail and generic.", {"type": "string"}),
                _header("X-Veneer-Webhook-Secret", "For the other sources.", {"type": "string"}),
                _header(
                    "X-Contentful-Topic",
                    "Contentful's, e.g. ContentManagement.Entry.publish",
                    {"type": "string"},
                ),
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("WebhookPayload")}},
            },
            "responses": {
                "200": _json(ref("WebhookResult"), "Verified; the content cache was dropped."),
                "400": _error("Not JSON, or not the source's payload shape."),
                "401": _error("Signature or secret missing or wrong."),
                "404": _error("Not a known source."),
                **_refused(413),
                "503": _error("Webhooks are off: VENEER_WEBHOOK_SECRET is not set."),
            },
        }
    }


def _assign() -> Schema:
    return {
        "post": {
            "operationId": "assignCluster",
            "summary": "The discovered cluster of a viewer or of a feature vector",
            "description": f"Secret keys only. Bodies up to {segments.MAX_BODY} bytes.",
            "parameters": _viewer_parameters(),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("AssignRequest")}},
            },
            "responses": {
                "200": _json(ref("ClusterAssignment"), "The nearest cluster of the latest model."),
                **_refused(400, 401, 413),
                "403": _error("Not a secret key, or a public key naming a user."),
                "409": _error("No clustering yet: run `veneer segments cluster`."),
            },
        }
    }


def _graphql() -> Schema:
    answer = _json(ref("GraphQLResponse"), "Executed, or a GraphQL error in `errors`.")
    get_answer = {
        **answer,
        "content": {
            **answer["content"],
            "text/html": {"schema": {"type": "string", "description": "GraphiQL, to a browser"}},
        },
    }
    text = {"type": "string"}
    return {
        "parameters": _viewer_parameters(),
        "get": {
            "operationId": "graphqlGet",
            "summary": "GraphQL over HTTP, queries only; GraphiQL to a browser",
            "parameters": [
                {"name": "query", "in": "query", "required": True, "schema": text},
                {"name": "variables", "in": "query", "schema": text, "description": "JSON"},
                {"name": "operationName", "in": "query", "schema": text},
                {"name": "extensions", "in": "query", "schema": text, "description": "JSON"},
            ],
            "responses": {
                "200": get_answer,
                **_refused(400, 401, 403),
                "405": _error("A mutation sent with GET (Allow: POST)."),
            },
        },
        "post": {
            "operationId": "graphqlPost",
            "summary": "GraphQL over HTTP",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("GraphQLRequest")}},
            },
            "responses": {
                "200": answer,
                **_refused(400, 401, 403, 413),
                "415": _error("Content-Type is not application/json."),
            },
        },
    }


def _operational() -> dict[str, Schema]:
    return {
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "Ready when the database answers and the content source lists types",
                "security": NO_KEY,
                "responses": {
                    "200": _json(ref("Health"), "Ready."),
                    "503": _json(ref("Health"), "The database or the content source failed."),
                },
            }
        },
        "/metrics": {
            "get": {
                "operationId": "metrics",
                "summary": "Prometheus metrics of this process",
                "security": NO_KEY,
                "responses": {
                    "200": {
                        "description": "Prometheus text exposition format.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": NO_KEY,
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1.")},
            }
        },
    }


def openapi_document(max_events: int, max_bytes: int) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Veneer",
            "version": __version__,
            "description": (
                "A personalization layer for headless CMSs. Most of it is GraphQL at "
                "`/graphql`; these are its HTTP endpoints. Every error is "
                '`{"errors": [{"message", "extensions": {"code", "field"?}}]}`.'
            ),
        },
        "security": [{"apiKey": []}],
        "paths": {
            "/graphql": _graphql(),
            "/v1/events": _events(max_events, max_bytes),
            "/v1/consent": _consent(),
            "/v1/webhooks/{source}": _webhooks(),
            "/v1/segments/assign": _assign(),
            "/v1/personalize/content": personalize_content(
                _viewer_parameters(), _refused(400, 401, 403)
            ),
            "/v1/blocks/{name}": email_block(NO_KEY),
            **_operational(),
        },
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A public key (pk_..., one viewer) or a secret key (sk_...).",
                }
            },
            "parameters": _parameters(),
            "responses": _responses(),
            "schemas": {**component_schemas(), **block_schemas()},
        },
    }


@functools.cache
def _document_bytes(max_events: int, max_bytes: int) -> bytes:
    return orjson.dumps(openapi_document(max_events, max_bytes))


async def openapi_json(request: Request) -> Response:
    services: Services = request.app.state.services
    settings = services.settings
    return Response(
        _document_bytes(settings.max_batch_events, settings.max_batch_bytes),
        media_type="application/json",
        headers={"Cache-Control": CACHE_CONTROL},
    )
