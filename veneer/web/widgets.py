"""``GET /widgets/{name}``: the widget bundle, for pages on any site.

The files are built from ``widgets/`` and committed in ``veneer/static/widgets``, so serving
them needs no Node. Sites embed the stable name (``/widgets/veneer.js``), which answers with a
short cache so a new Veneer reaches their pages within minutes; the hashed name it maps to
(``/widgets/veneer.<hash>.js``) never changes content, so browsers keep it for a year. Either
way the ETag is the content hash, and a browser that has the file gets ``304``.

A module script (``<script type="module">``) is fetched with CORS, so the answer allows every
origin: the bundle is public, the same for everyone, and carries no credentials.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from veneer.web.errors import error_response

ASSETS = Path(__file__).resolve().parent.parent / "static" / "widgets"
IMMUTABLE = "public, max-age=31536000, immutable"
STABLE = "public, max-age=300"  # how soon pages pick up a new build under the stable name


@dataclass(frozen=True)
class Bundle:
    body: bytes
    gzipped: bytes
    content_hash: str

    def etag(self, gzipped: bool) -> str:
        """Each encoding has its own tag, as HTTP asks of a strong ETag."""
        return f'"{self.content_hash}-gzip"' if gzipped else f'"{self.content_hash}"'


@cache
def bundles() -> dict[str, tuple[Bundle, str]]:
    """Each servable name (stable and hashed) -> the bundle and its Cache-Control."""
    manifest: dict[str, str] = json.loads((ASSETS / "manifest.json").read_text())
    served: dict[str, tuple[Bundle, str]] = {}
    for stable, hashed in manifest.items():
        body = (ASSETS / hashed).read_bytes()
        content_hash = hashed.removesuffix(".js").rsplit(".", 1)[-1]
        bundle = Bundle(body, gzip.compress(body, 9, mtime=0), content_hash)
        served[stable] = (bundle, STABLE)
        served[hashed] = (bundle, IMMUTABLE)
    return served


def _accepts_gzip(request: Request) -> bool:
    codings = [
        c.split(";")[0].strip() for c in request.headers.get("accept-encoding", "").split(",")
    ]
    return "gzip" in codings


async def widget_asset(request: Request) -> Response:
    found = bundles().get(request.path_params["name"])
    if found is None:
        known = ", ".join(sorted(name for name in bundles() if bundles()[name][1] == STABLE))
        return error_response(404, f"no widget file by that name; the bundles are {known}")
    bundle, cache_control = found
    gzipped = _accepts_gzip(request)
    headers = {
        "Cache-Control": cache_control,
        "ETag": bundle.etag(gzipped),
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "X-Content-Type-Options": "nosniff",
    }
    # Either encoding's tag, weak or strong, means the browser holds this content.
    held = {
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    }
    if {bundle.etag(False), bundle.etag(True)} & held:
        return Response(status_code=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(
        bundle.gzipped if gzipped else bundle.body,
        media_type="text/javascript; charset=utf-8",
        headers=headers,
    )
