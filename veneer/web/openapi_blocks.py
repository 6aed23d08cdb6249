"""The OpenAPI description of the block endpoints (`veneer.channels.blocks`).

Kept in `web` with the rest of the document, so the document is built in one place; the
endpoints themselves live in `channels`, which imports `web` and not the other way round.
"""

from __future__ import annotations

from veneer.placements.definition import NAME
from veneer.web.openapi_schemas import Schema, ref

TEXT: Schema = {"type": "string"}
NULLABLE_TEXT: Schema = {"type": ["string", "null"]}


def block_schemas() -> dict[str, Schema]:
    return {
        "Block": {
            "type": "object",
            "description": "What a placement shows the viewer now, and why.",
            "required": ["placement", "strategy", "reason", "html", "entries"],
            "properties": {
                "placement": TEXT,
                "strategy": {
                    "type": "string",
                    "enum": ["variant", "pinned", "recommendations", "offer"],
                },
                "reason": TEXT,
                "html": {
                    "type": "string",
                    "description": "Rendered by the placement's template; sanitized.",
                },
                "offer": {**NULLABLE_TEXT, "description": "The trigger whose offer fills it."},
                "params": {"type": ["object", "null"], "description": "The offer's, e.g. a code."},
                "entries": {"type": "array", "items": ref("BlockEntry")},
            },
        },
        "BlockEntry": {
            "type": "object",
            "required": ["id", "contentType", "baseline", "reason", "url", "fields"],
            "properties": {
                "id": TEXT,
                "contentType": TEXT,
                "slug": NULLABLE_TEXT,
                "variantId": NULLABLE_TEXT,
                "baseline": {"type": "boolean"},
                "reason": TEXT,
                "strategy": NULLABLE_TEXT,
                "url": TEXT,
                "fields": {
                    "type": "object",
                    "description": "The variant's fields over the baseline.",
                },
            },
        },
    }


def _error(description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def _query(name: str, description: str, schema: Schema, required: bool = True) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def personalize_content(viewer_parameters: list[Schema], refused: dict[str, Schema]) -> Schema:
    key = {"type": "string", "minLength": 1}
    return {
        "get": {
            "operationId": "personalizeContent",
            "summary": "The block a placement shows the viewer (for pages, widgets and apps)",
            "description": (
                "The same block as GraphQL's `block`, with the same consent. `Cache-Control: "
                "private`: it is this viewer's. 204 when the placement has nothing for them."
            ),
            "parameters": [
                *viewer_parameters,
                {**_query("placement", "The placement's key.", key), "example": "hero"},
                _query(
                    "format",
                    "json (the block and its entries), html or text (the rendered block).",
                    {"type": "string", "enum": ["json", "html", "text"], "default": "json"},
                    required=False,
                ),
            ],
            "responses": {
                "200": {
                    "description": "The block.",
                    "content": {
                        "application/json": {"schema": ref("Block")},
                        "text/html": {"schema": TEXT},
                        "text/plain": {"schema": TEXT},
                    },
                },
                "204": {"description": "Nothing to show this viewer: keep the page's own markup."},
                **refused,
                "404": _error("No placement with this key."),
                "503": _error("The CMS did not answer."),
            },
        }
    }


def email_block(no_key: list[dict[str, list[str]]]) -> Schema:
    name = f"{NAME.pattern.rstrip('$')}\\.(html|txt)$"
    return {
        "get": {
            "operationId": "emailBlock",
            "summary": "A user's block for an email, on a signed, expiring URL",
            "description": (
                "No API key: `veneer email-url USER_ID PLACEMENT` prints the URL, or an email "
                "tool signs it with a campaign key (`veneer email-key`): `sig` is the hex "
                "HMAC-SHA256 of `placement:user:expires`. `.html` is email-safe HTML (tables, "
                "inline CSS, absolute links); `.txt` its plain-text alternative. Rendered when "
                "fetched; empty when the placement has nothing for the user."
            ),
            "security": no_key,
            "parameters": [
                {
                    "name": "name",
                    "in": "path",
                    "required": True,
                    "description": "The placement's key, then .html or .txt.",
                    "schema": {"type": "string", "pattern": name},
                },
                _query("user", "The user the URL was signed for.", TEXT),
                _query("expires", "Unix time after which the URL no longer works.", TEXT),
                _query("sig", "The signature.", TEXT),
                _query("campaign", "The campaign whose key signed it.", TEXT, required=False),
            ],
            "responses": {
                "200": {
                    "description": "The rendered block.",
                    "content": {"text/html": {"schema": TEXT}, "text/plain": {"schema": TEXT}},
                },
                "403": _error("Wrong signature, another user's, or expired; nothing more is said."),
                "404": _error("Not a block URL, or no placement with this key."),
                "503": _error("The CMS did not answer."),
            },
        }
    }
