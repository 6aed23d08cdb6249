"""GraphiQL, served by Veneer itself: the page at ``GET /graphql`` and its scripts and styles.

Strawberry's own page loads React and GraphiQL from a public CDN, so offline, on an air-gapped
network or behind a strict Content-Security-Policy it shows "Loading..." forever. The assets
here are built from ``ide/`` (npm packages pinned by its lockfile) and committed inside the
package, so running Veneer needs no Node and the browser asks no other host for anything.
"""

from __future__ import annotations

import json
import secrets
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from veneer.identity.keys import DEMO_KEYS, KeyKind
from veneer.settings import Settings

ASSETS = Path(__file__).resolve().parent.parent / "static" / "graphiql"
ASSET_PATH = "/static/graphiql/"

# Everything comes from Veneer's origin: no inline script, no eval, and of inline styles only
# the <style> element GraphiQL's dialogs add, which carries this page's nonce. Its fonts are
# data: URLs inside its stylesheet.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'nonce-{nonce}'",
        "font-src data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
# Asset names carry a hash of their content: a new build is a new name, so a year is safe.
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

DEMO_QUERY = """\
# Veneer, in demo mode. The headers tab below
# carries the public demo key and a viewer id:
# run this with Ctrl-Enter, or the ▶ button.
{
  entries(first: 3) {
    edges { node { id personalization { reason } } }
  }
}
"""
QUERY = """\
# Veneer. Every request needs an API key: in the
# headers tab below, add
#   {"Authorization": "Bearer <your key>",
#    "X-Veneer-Anonymous-Id": "<a viewer id>"}
# (a public key acts for the viewer it names).
"""

templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


@cache
def manifest() -> dict[str, str]:
    """The stable names the page asks for (``graphiql.js``), mapped to the hashed files."""
    names: dict[str, str] = json.loads((ASSETS / "manifest.json").read_text())
    return names


def _demo_headers() -> str:
    public = next(key for key, kind in DEMO_KEYS.items() if kind is KeyKind.PUBLIC)
    headers = {"Authorization": f"Bearer {public}", "X-Veneer-Anonymous-Id": "graphiql"}
    return json.dumps(headers, indent=2)


def graphiql_page(request: Request, settings: Settings) -> HTMLResponse:
    """The IDE; in demo mode a newcomer's first query works without typing a key."""
    root = request.scope.get("root_path", "")
    nonce = secrets.token_urlsafe(18)
    html = templates.get_template("graphiql.html").render(
        script=f"{root}{ASSET_PATH}{manifest()['graphiql.js']}",
        stylesheet=f"{root}{ASSET_PATH}{manifest()['graphiql.css']}",
        config={
            "defaultQuery": DEMO_QUERY if settings.demo else QUERY,
            "defaultHeaders": _demo_headers() if settings.demo else "",
            "styleNonce": nonce,
        },
    )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY.format(nonce=nonce),
            "Cache-Control": "no-store",  # a nonce is for one response only
            "X-Content-Type-Options": "nosniff",
        },
    )


async def graphiql_asset(request: Request) -> Response:
    """One of the built files, by its hashed name; nothing else in the folder is served."""
    name = request.path_params["name"]
    if name not in manifest().values():
        return PlainTextResponse("Not Found", status_code=404)
    return FileResponse(
        ASSETS / name,
        media_type=CONTENT_TYPES[Path(name).suffix],
        headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"},
    )
