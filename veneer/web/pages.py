"""`/` (the demo page), `/health` and `/metrics`."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from veneer.demo import DEMO_SEGMENTS, preview
from veneer.entries import Entry
from veneer.services import Services
from veneer.store.migrate import schema_state

templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


async def health(request: Request) -> Response:
    """Ready when the database has the schema this code needs and the content source answers.

    A database behind the code still answers queries, then fails real requests on the tables
    and columns it lacks, so "it answers" is not enough.
    """
    services: Services = request.app.state.services
    checks: dict[str, str] = {}
    try:
        async with services.db.reading() as session:
            problem = (await schema_state(session)).problem
        checks["database"] = "ok" if problem is None else f"error: {problem}"
    except Exception as exc:  # health reports failures, it never raises them
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        await services.content.content_types()
        checks["content"] = "ok"
    except Exception as exc:
        checks["content"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "degraded", **checks}, 200 if ok else 503)


async def _all_entries(services: Services) -> list[Entry]:
    entries: list[Entry] = []
    after = None
    while True:
        page = await services.content.list_entries(None, 100, after, None)
        entries.extend(page.entries)
        if not page.has_next_page or not page.cursors:
            return entries
        after = page.cursors[-1]


async def demo_page(request: Request) -> Response:
    services: Services = request.app.state.services
    demo = services.settings.demo
    rows = []
    entries: list[Entry] = []
    segments = [s["key"] for s in DEMO_SEGMENTS]
    if demo:
        entries = await _all_entries(services)
        rows = preview(entries, segments, services.clock())
    html = templates.get_template("demo.html").render(
        demo=demo,
        rows=rows,
        entries=entries,
        segments=DEMO_SEGMENTS,
        base_url=str(request.base_url).rstrip("/"),
    )
    return HTMLResponse(html)


async def metrics(request: Request) -> Response:
    """Prometheus exposition; counters are per process, as Prometheus expects."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
