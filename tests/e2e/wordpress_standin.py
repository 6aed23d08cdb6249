"""A local stand-in for the WordPress REST API (``/wp-json/wp/v2``), in its documented shapes.

No WordPress runs on the test machines, so this serves what the adapter reads: posts and pages
with ``per_page`` (at most 100), ``offset``, ``slug``, ``status``, ``orderby``/``order`` and
Polylang's ``lang``; ``X-WP-Total``/``X-WP-TotalPages`` headers; ``rendered`` HTML objects;
registered post meta; and WordPress's error body ``{"code", "message", "data": {"status"}}``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BASE = "http://127.0.0.1/blog"


def _post(post_id: int, kind: str, slug: str, title: str, lang: str = "en", **extra: Any) -> dict:
    return {
        "id": post_id,
        "date": "2026-10-01T10:00:00",
        "date_gmt": "2026-10-01T08:00:00",
        "modified": "2026-11-02T11:30:00",
        "modified_gmt": "2026-11-02T09:30:00",
        "slug": slug,
        "status": extra.pop("status", "publish"),
        "type": kind,
        "link": f"{BASE}/{slug}/",
        "title": {"rendered": title},
        "content": {"rendered": extra.pop("content", f"<p>{title}</p>\n"), "protected": False},
        "excerpt": {"rendered": f"<p>{title}</p>\n", "protected": False},
        "author": 1,
        "tags": extra.pop("tags", []),
        "meta": {"veneer_variants": extra.pop("variants", "")},
        "lang": lang,
        "_links": {"self": [{"href": f"{BASE}/wp-json/wp/v2/{kind}s/{post_id}"}]},
        **extra,
    }


POSTS = [_post(n, "post", f"post-{n:02d}", f"Post {n:02d}") for n in range(1, 8)]
POSTS[0]["meta"]["veneer_variants"] = json.dumps(
    [{"id": "v-campers", "audience": ["campers"], "fields": {"title": "Post 01 for campers"}}]
)
POSTS[1]["content"]["rendered"] = (
    '<p onclick="steal()">Hi<script>alert(1)</script></p><a href="javascript:steal()">x</a>'
)
POSTS[2]["meta"]["veneer_variants"] = '[{"id": "broken"}]'
POSTS.append(_post(20, "post", "post-01", "Beitrag 01", lang="de"))
POSTS.append(_post(21, "post", "draft-idea", "Draft", status="draft"))
PAGES = [_post(100 + n, "page", f"page-{n}", f"Page {n}") for n in range(1, 4)]
COLLECTIONS = {"posts": POSTS, "pages": PAGES}


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"code": code, "message": message, "data": {"status": status}}, status)


def _int(query: Any, name: str, default: int) -> int | None:
    value = query.get(name, str(default))
    return int(value) if value.isdigit() else None


def _unknown_route() -> Response:
    return _error(404, "rest_no_route", "No route was found matching the URL and request method.")


async def listing(request: Request) -> Response:
    if request.path_params["base"] not in COLLECTIONS:
        return _unknown_route()
    items = COLLECTIONS[request.path_params["base"]]
    query = request.query_params
    per_page, offset = _int(query, "per_page", 10), _int(query, "offset", 0)
    if per_page is None or not 1 <= per_page <= 100:
        return _error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
    if offset is None:
        return _error(400, "rest_invalid_param", "Invalid parameter(s): offset")
    if query.get("status", "publish") != "publish":
        return _error(400, "rest_invalid_param", "Status is forbidden.")
    found = [p for p in items if p["status"] == "publish" and p["lang"] == query.get("lang", "en")]
    if "slug" in query:
        found = [p for p in found if p["slug"] == query["slug"]]
    if query.get("orderby") == "id":
        found.sort(key=lambda p: p["id"], reverse=query.get("order") == "desc")
    total = len(found)
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(-(-total // per_page))}
    return JSONResponse(found[offset : offset + per_page], headers=headers)


async def detail(request: Request) -> Response:
    if request.path_params["base"] not in COLLECTIONS:
        return _unknown_route()
    for post in COLLECTIONS[request.path_params["base"]]:
        if post["id"] == request.path_params["post_id"] and post["status"] == "publish":
            return JSONResponse(post)
    return _error(404, "rest_post_invalid_id", "Invalid post ID.")


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/wp-json/wp/v2/{base:str}", listing),
        Route("/wp-json/wp/v2/{base:str}/{post_id:int}", detail),
    ]
)
