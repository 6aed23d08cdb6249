"""The Insights templates (Jinja2, autoescaped) and what every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from veneer.insights.charts import Series, bar_chart, figure, line_chart
from veneer.insights.session import DONE_COOKIE, Session

templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[2] / "templates" / "insights"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(figure=figure, line_chart=line_chart, bar_chart=bar_chart, series=Series)
templates.filters["percent"] = lambda value: figure(value, percent=True)

PREFIX = "/insights"
PAGES = (
    ("segments", "Segments"),
    ("experiments", "Experiments"),
    ("recommendations", "Recommendations"),
    ("triggers", "Triggers"),
    ("quality", "Data quality"),
    ("consent", "Consent"),
    ("coverage", "Coverage"),
    ("audit", "Audit log"),
)


def base(request: Request) -> str:
    """Where Insights is: ``/insights`` under whatever root path a proxy mounts Veneer at."""
    root: str = request.scope.get("root_path", "")
    return root + PREFIX


def render(
    request: Request, name: str, session: Session | None, status: int = 200, **values: Any
) -> HTMLResponse:
    done = request.cookies.get(DONE_COOKIE)
    html = templates.get_template(name).render(
        session=session,
        done=unquote(done) if done and session is not None else None,
        pages=PAGES,
        current=request.url.path,
        root=base(request),
        **values,
    )
    response = HTMLResponse(html, status_code=status)
    if done:
        response.delete_cookie(DONE_COOKIE, path=base(request), httponly=True)
    return response
