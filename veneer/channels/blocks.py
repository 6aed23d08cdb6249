"""Blocks over REST: ``GET /v1/personalize/content`` for pages and apps, and
``GET /v1/blocks/{placement}.html|.txt`` for email tools, on signed URLs.

Both build the same block as GraphQL's `block` (`veneer.graphql.placements.serving`), with
the same consent, and answer ``Cache-Control: private``: a block is one viewer's, so no shared
cache may keep it. The email endpoint takes no API key: its URL is signed for one user and
expires, and a URL that is not valid now gets the same 403 whatever is wrong with it.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from veneer.content_adapters import ContentError
from veneer.graphql.context import Context
from veneer.graphql.placements.serving import UnknownPlacement, build_block, find_placement
from veneer.identity.keys import ApiKey, KeyKind
from veneer.identity.principal import Principal
from veneer.identity.signed_urls import SignatureError, verify_block
from veneer.identity.viewer import Viewer
from veneer.placements.blocks import Block, BlockItem
from veneer.placements.definition import NAME
from veneer.placements.render import Format
from veneer.services import Services
from veneer.web.errors import error_response

logger = logging.getLogger(__name__)
FORMATS = ("json", "html", "text")
PRIVATE = {"Cache-Control": "private, no-cache"}
EMAIL_KEY = ApiKey(id="signed-url", kind=KeyKind.PUBLIC, name="signed email block URL")


def _entry_json(item: BlockItem) -> dict[str, Any]:
    return {
        "id": item.entry.id,
        "contentType": item.entry.content_type,
        "slug": item.entry.slug,
        "variantId": item.variant_id,
        "baseline": item.baseline,
        "reason": item.reason,
        "strategy": item.strategy,
        "url": item.path,
        "fields": dict(item.fields),
    }


async def _block(context: Context, key: str) -> Block | Response | None:
    """The block, or the error response saying why there is none."""
    try:
        placement = await find_placement(context, key)
        return await build_block(context, placement)
    except UnknownPlacement as exc:
        return error_response(404, str(exc), field="placement", headers=PRIVATE)
    except ContentError as exc:
        return error_response(503, f"the CMS did not answer: {exc}", code="CONTENT_UNAVAILABLE")


def _context(request: Request, principal: Principal) -> Context:
    services: Services = request.app.state.services
    return Context(
        request=request,
        response=Response(),
        services=services,
        principal=principal,
        now=services.clock(),
    )


async def _recorded(context: Context) -> None:
    try:
        await context.record_exposures()
    except Exception:  # the answer stands; the next request records the exposure again
        logger.exception("experiment exposures not recorded")


async def personalize_content(request: Request) -> Response:
    """``GET /v1/personalize/content?placement=KEY&format=json|html|text``."""
    key = request.query_params.get("placement", "")
    format = request.query_params.get("format", "json")
    if not key:
        return error_response(400, "placement: give the placement's key", field="placement")
    if format not in FORMATS:
        return error_response(400, f"format: must be one of {', '.join(FORMATS)}", field="format")
    context = _context(request, request.state.principal)
    block = await _block(context, key)
    if isinstance(block, Response):
        return block
    await _recorded(context)
    if block is None:
        return Response(status_code=204, headers=PRIVATE)
    templates = context.services.templates
    if format == "json":
        return JSONResponse(
            {
                "placement": block.placement.key,
                "strategy": block.placement.strategy,
                "reason": block.reason,
                "html": templates.render(block, "html"),
                "offer": block.offer,
                "params": dict(block.params) or None,
                "entries": [_entry_json(item) for item in block.items],
            },
            headers=PRIVATE,
        )
    rendered = templates.render(block, "html" if format == "html" else "text")
    media = "text/html" if format == "html" else "text/plain"
    return PlainTextResponse(rendered, media_type=media, headers=PRIVATE)


async def email_block(request: Request) -> Response:
    """``GET /v1/blocks/{placement}.html|.txt?user=&expires=&sig=`` (signed, no key)."""
    name = request.path_params["name"]
    key, _, suffix = name.rpartition(".")
    services: Services = request.app.state.services
    if suffix not in ("html", "txt") or not NAME.match(key):
        return error_response(404, f"no endpoint at {request.url.path}")
    try:
        user_id = verify_block(
            services.settings.signing_secret(),
            key,
            dict(request.query_params),
            services.clock(),
        )
    except SignatureError:
        return error_response(
            403, "this block URL is not valid: wrong signature, or expired", headers=PRIVATE
        )
    principal = Principal(EMAIL_KEY, Viewer(user_id=user_id), gpc=False)
    context = _context(request, principal)
    block = await _block(context, key)
    if isinstance(block, Response):
        return block
    await _recorded(context)
    format: Format = "email" if suffix == "html" else "text"
    media = "text/html" if suffix == "html" else "text/plain"
    if block is None:
        return PlainTextResponse("", media_type=media, headers=PRIVATE)
    base = services.settings.site_url or str(request.base_url)
    rendered = services.templates.render(block, format, base_url=base)
    return PlainTextResponse(rendered, media_type=media, headers=PRIVATE)
