"""A local stand-in for Contentful's Content Delivery API, in its documented shapes.

Contentful is a SaaS that cannot be reached from the test machines, so this serves the
parts of the CDA the adapter uses: ``content_types``, ``entries`` (``content_type``,
``skip``/``limit``, ``locale``, ``fields.slug``, ``order``) and ``entries/{id}``, with Bearer
token auth and the CDA's error bodies. Served on 127.0.0.1 by the test that needs it.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "standin-delivery-token"
SPACE, ENV = "demo-space", "master"


def _entry(entry_id: str, kind: str, locale: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "sys": {
            "id": entry_id,
            "type": "Entry",
            "createdAt": "2026-10-01T08:00:00.000Z",
            "updatedAt": "2026-11-02T09:30:00.000Z",
            "locale": locale,
            "contentType": {"sys": {"type": "Link", "linkType": "ContentType", "id": kind}},
            "space": {"sys": {"type": "Link", "linkType": "Space", "id": SPACE}},
        },
        "fields": fields,
    }


ENTRIES = [
    _entry(
        f"prod{n:02d}",
        "product",
        "en-US",
        {"title": f"Product {n:02d}", "slug": f"product-{n:02d}", "price": 10 * n},
    )
    for n in range(1, 13)
]
ENTRIES[0]["fields"]["variants"] = [
    {
        "id": "v-campers",
        "audience": ["campers"],
        "priority": 5,
        "fields": {"title": "Product 01 for campers"},
    }
]
ENTRIES.append(_entry("art01", "article", "en-US", {"title": "Trail notes", "slug": "trail-notes"}))
ENTRIES.append(_entry("art01", "article", "de-DE", {"title": "Pfadnotizen", "slug": "trail-notes"}))


def _error(status: int, error_id: str, message: str) -> Response:
    body = {"sys": {"type": "Error", "id": error_id}, "message": message, "requestId": "standin"}
    return JSONResponse(body, status)


def _authorized(request: Request) -> bool:
    return request.headers.get("authorization") == f"Bearer {TOKEN}"


async def content_types(request: Request) -> Response:
    if not _authorized(request):
        return _error(401, "AccessTokenInvalid", "The access token you sent could not be found.")
    kinds = sorted({e["sys"]["contentType"]["sys"]["id"] for e in ENTRIES})
    items = [{"sys": {"id": k, "type": "ContentType"}, "name": k.title()} for k in kinds]
    return JSONResponse(
        {"sys": {"type": "Array"}, "total": len(items), "skip": 0, "limit": 100, "items": items}
    )


async def entries(request: Request) -> Response:
    if not _authorized(request):
        return _error(401, "AccessTokenInvalid", "The access token you sent could not be found.")
    query = request.query_params
    limit, skip = int(query.get("limit", 100)), int(query.get("skip", 0))
    if limit > 1000:
        return _error(400, "BadRequest", "limit must be at most 1000")
    locale = query.get("locale", "en-US")
    found = [e for e in ENTRIES if e["sys"]["locale"] == locale]
    if "content_type" in query:
        found = [e for e in found if e["sys"]["contentType"]["sys"]["id"] == query["content_type"]]
    if "fields.slug" in query:
        if "content_type" not in query:
            return _error(400, "InvalidQuery", "fields.* filters need a content_type")
        found = [e for e in found if e["fields"].get("slug") == query["fields.slug"]]
    if query.get("order") == "sys.id":
        found.sort(key=lambda e: e["sys"]["id"])
    page = found[skip : skip + limit]
    return JSONResponse(
        {"sys": {"type": "Array"}, "total": len(found), "skip": skip, "limit": limit, "items": page}
    )


async def entry(request: Request) -> Response:
    if not _authorized(request):
        return _error(401, "AccessTokenInvalid", "The access token you sent could not be found.")
    for item in ENTRIES:
        if (
            item["sys"]["id"] == request.path_params["entry_id"]
            and item["sys"]["locale"] == "en-US"
        ):
            return JSONResponse(item)
    return _error(404, "NotFound", "The resource could not be found.")


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


prefix = f"/spaces/{SPACE}/environments/{ENV}"
app = Starlette(
    routes=[
        Route("/health", health),
        Route(f"{prefix}/content_types", content_types),
        Route(f"{prefix}/entries", entries),
        Route(f"{prefix}/entries/{{entry_id}}", entry),
    ]
)
