"""The JSON Schemas of what Veneer's HTTP endpoints read and answer, for the OpenAPI document.

Where a pydantic model validates a body, its schema comes from that model, so the document
cannot say one thing while validation does another. The rest mirror what the endpoints in
``veneer.web`` build by hand; the schemathesis test in tests/e2e holds them to each other.
"""

from __future__ import annotations

from typing import Any

from veneer.consent import Purpose
from veneer.consent.decisions import MAX_LENGTHS
from veneer.events.validation import ENVELOPE, MAX_DEPTH

REF = "#/components/schemas/{model}"
NO_NUL = "^[^\\x00]*$"  # PostgreSQL keeps no U+0000 in text
Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": REF.format(model=name)}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def event_schemas() -> dict[str, Schema]:
    """``Event`` as `EventPayload` validates it, with any models it refers to beside it."""
    schema = ENVELOPE.json_schema(by_alias=True, ref_template=REF)
    nested: dict[str, Schema] = schema.pop("$defs", {})
    schema["title"] = "Event"
    schema["description"] = (
        "One event. Standard types have their `properties` checked too: `time_on_page` "
        "needs `seconds`, `search` a `query`, `purchase` a `value` and an ISO 4217 "
        "`currency`, `entry_view` an `entryId`. No string or key may hold U+0000, and "
        f"`properties` and `context` nest at most {MAX_DEPTH} deep. An event that fails is "
        "listed in `rejected`."
    )
    return {**nested, "Event": schema}


def _error() -> Schema:
    extensions = {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {"type": "string", "description": "Apollo-style, e.g. BAD_REQUEST"},
            "field": {"type": "string", "description": "the input at fault"},
        },
    }
    message = {
        "type": "object",
        "required": ["message", "extensions"],
        "properties": {"message": {"type": "string"}, "extensions": extensions},
    }
    return {
        "type": "object",
        "description": "GraphQL's error shape, on every path.",
        "required": ["errors"],
        "properties": {"errors": {"type": "array", "minItems": 1, "items": message}},
    }


def _track_result() -> Schema:
    count = {"type": "integer", "minimum": 0}
    rejection = {
        "type": "object",
        "required": ["index", "field", "message"],
        "properties": {
            "index": {"type": "integer", "minimum": 0, "description": "in the batch"},
            "field": _nullable({"type": "string"}),
            "message": {"type": "string"},
        },
    }
    return {
        "type": "object",
        "required": ["accepted", "duplicates", "rejected", "withoutConsent"],
        "properties": {
            "accepted": {
                **count,
                "description": "valid events acknowledged, withoutConsent included",
            },
            "duplicates": {**count, "description": "ids seen before"},
            "withoutConsent": {
                **count,
                "description": "acknowledged but not stored: no ANALYTICS consent",
            },
            "rejected": {"type": "array", "items": rejection},
        },
    }


def _consent_schemas() -> dict[str, Schema]:
    purpose = {"type": "string", "enum": [p.value for p in Purpose]}
    state = {
        "type": "object",
        "required": ["purpose", "granted", "updatedAt", "source", "policyVersion"],
        "properties": {
            "purpose": ref("Purpose"),
            "granted": {"type": "boolean"},
            "updatedAt": _nullable({"type": "string", "format": "date-time"}),
            "source": _nullable({"type": "string"}),
            "policyVersion": _nullable({"type": "string"}),
        },
    }
    choice = {
        "type": "object",
        "required": ["purpose", "granted"],
        "properties": {"purpose": ref("Purpose"), "granted": {"type": "boolean"}},
    }
    update = {
        "type": "object",
        "required": ["purposes"],
        "description": "Each purpose at most once; NECESSARY cannot be denied.",
        "properties": {
            "purposes": {"type": "array", "minItems": 1, "items": choice},
            **{
                name: _nullable({"type": "string", "maxLength": length, "pattern": NO_NUL})
                for name, length in MAX_LENGTHS.items()
            },
        },
    }
    consent = {
        "type": "object",
        "required": ["purposes"],
        "properties": {"purposes": {"type": "array", "items": ref("ConsentState")}},
    }
    return {
        "Purpose": purpose,
        "ConsentState": state,
        "ConsentUpdate": update,
        "Consent": consent,
    }


def _cluster_schemas() -> dict[str, Schema]:
    features = {
        "type": "object",
        "description": "Every feature of the latest clustering, by name.",
        "additionalProperties": {"type": "number", "minimum": 0},
    }
    request = {
        "oneOf": [
            {
                "type": "object",
                "required": ["features"],
                "properties": {"features": features},
                "not": {"required": ["viewerId"]},
            },
            {
                "type": "object",
                "required": ["viewerId"],
                "properties": {"viewerId": {"type": "string", "minLength": 1}},
                "not": {"required": ["features"]},
            },
        ]
    }
    assignment = {
        "type": "object",
        "required": ["version", "cluster", "name", "features"],
        "properties": {
            "version": {"type": "integer"},
            "cluster": {"type": "integer"},
            "name": _nullable({"type": "string"}),
            "features": {"type": "object", "additionalProperties": {"type": "number"}},
        },
    }
    return {"AssignRequest": request, "ClusterAssignment": assignment}


def _graphql_schemas() -> dict[str, Schema]:
    request = {
        "type": "object",
        "required": ["query"],
        "properties": {
            "query": {"type": "string"},
            "variables": _nullable({"type": "object"}),
            "operationName": _nullable({"type": "string"}),
            "extensions": _nullable({"type": "object"}),
        },
    }
    response = {
        "type": "object",
        "properties": {
            "data": _nullable({"type": "object"}),
            "errors": {"type": "array", "items": {"type": "object"}},
            "extensions": {"type": "object"},
        },
    }
    return {"GraphQLRequest": request, "GraphQLResponse": response}


def webhook_payload() -> Schema:
    """Each source's payload, as `veneer.plugin.webhooks.read_change` reads it."""
    entry_id = {"type": ["string", "integer"]}
    ids = {"type": "array", "minItems": 1, "items": entry_id}
    shapes = {
        "wagtail, generic": (
            {"action": {"type": "string", "minLength": 1}, "entryIds": ids},
            ["action", "entryIds"],
        ),
        "strapi": (
            {
                "event": {"type": "string", "examples": ["entry.publish"]},
                "entry": {"type": "object", "properties": {"documentId": entry_id}},
            },
            ["event", "entry"],
        ),
        "contentful (with X-Contentful-Topic)": (
            {"sys": {"type": "object", "properties": {"id": entry_id}}},
            ["sys"],
        ),
        "directus": (
            {
                "event": {"type": "string", "examples": ["items.update"]},
                "collection": {"type": "string", "minLength": 1},
                "keys": ids,
            },
            ["event", "collection"],
        ),
        "wordpress": ({"ID": entry_id, "action": {"type": "string"}}, ["ID"]),
    }
    return {
        "description": "The CMS's own payload, one shape per source.",
        "anyOf": [
            {"title": title, "type": "object", "properties": fields, "required": required}
            for title, (fields, required) in shapes.items()
        ],
    }


def _other_schemas() -> dict[str, Schema]:
    health = {
        "type": "object",
        "required": ["status", "database", "content"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "degraded"]},
            "database": {"type": "string", "description": "ok, or error: <kind>"},
            "content": {"type": "string", "description": "ok, or error: <kind>"},
        },
    }
    invalidated = {
        "type": "object",
        "required": ["invalidated", "action"],
        "properties": {
            "invalidated": {"type": "array", "items": {"type": "string"}},
            "action": {"type": "string"},
        },
    }
    return {"Health": health, "WebhookPayload": webhook_payload(), "WebhookResult": invalidated}


def component_schemas() -> dict[str, Schema]:
    return {
        "Error": _error(),
        **event_schemas(),
        "TrackResult": _track_result(),
        **_consent_schemas(),
        **_cluster_schemas(),
        **_graphql_schemas(),
        **_other_schemas(),
    }
