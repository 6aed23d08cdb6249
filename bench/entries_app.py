"""The app under benchmark: Veneer, plus a bare Starlette endpoint on the same server.

The baseline endpoint returns the very bytes Veneer answered for the benchmark query,
pre-serialized, so the ratio measures what personalization over GraphQL costs on top of
just sending the same 20 entries.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from veneer.app import create_app
from veneer.settings import Settings

BASELINE = Path(os.environ["BENCH_BASELINE_FILE"]).read_bytes()
MEDIA_TYPE = os.environ.get("BENCH_BASELINE_TYPE", "application/json")


async def baseline(request: Request) -> Response:
    await request.body()
    return Response(BASELINE, media_type=MEDIA_TYPE)


def build() -> Starlette:
    app = create_app(Settings())
    app.router.routes.insert(0, Route("/bench/baseline", baseline, methods=["GET", "POST"]))
    return app


app = build()
