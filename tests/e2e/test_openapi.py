"""schemathesis against a real uvicorn server: every answer is documented, none is a 500.

The server reads the test's own database, SQLite and then PostgreSQL, so input that one
stores and the other refuses is found too. Generated requests take turns between a secret
key and a public key acting for an anonymous viewer who granted ANALYTICS (so events reach the
database): both callers reach every operation, at half the cost of sending each case twice.
Generation is derandomized and bounded, so a run is repeatable.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from bench.servers import uvicorn_server, veneer_env
from tests.conftest import TEST_SECRET, Keys
from veneer.segments.cluster_model import ClusterModel
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.clusters import save_model

WEBHOOK_SECRET = "openapi-test-webhook-secret"
# A placement to fill, so blocks answer more than 404 (the document's example names it).
PLACE_HERO = """mutation { upsertPlacement(input: {key: "hero", strategy: "variant",
  entries: ["tent-x2"]}) { key } }"""
VIEWER = "openapi-viewer"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Generated headers that would stop most requests at the door (401, 403) are dropped: a
# generated viewer token is never validly signed, and naming a user is a secret-key power.
NEVER_VALID = ("X-Veneer-Viewer-Token",)
SECRET_KEY_ONLY = ("X-Veneer-User-Id",)


@dataclass(frozen=True)
class Server:
    base: str
    secret: dict[str, str]  # the headers each caller sends
    public: dict[str, str]
    turns: Iterator[bool] = field(default_factory=lambda: itertools.cycle([True, False]))


def _seed_clustering(settings: Settings) -> None:
    """A clustering to assign to, so `/v1/segments/assign` can answer more than 409."""
    model = ClusterModel(
        version=1,
        features=("entry_view in 30d",),
        mean=(2.0,),
        scale=(1.0,),
        centroids={0: (0.0,), 1: (5.0,)},
        names={0: "browsers", 1: "regulars"},
    )

    async def save() -> None:
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                await save_model(session, model.version, model.to_json())
        finally:
            await db.dispose()

    asyncio.run(save())


@pytest.fixture
def server(settings: Settings, keys: Keys) -> Iterator[Server]:
    _seed_clustering(settings)
    env = veneer_env(
        database_url=settings.database_url,
        secret=TEST_SECRET,
        content="sample",
        webhook_secret=WEBHOOK_SECRET,
    )
    # The real webhook secret takes the sources that send it (strapi, contentful, directus,
    # wordpress) past verification to their payload reading; other endpoints ignore it.
    hooks = {"X-Veneer-Webhook-Secret": WEBHOOK_SECRET}
    public = {"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": VIEWER}
    with uvicorn_server("veneer.app:create_app", env, factory=True) as base:
        granted = httpx.post(
            f"{base}/v1/consent",
            json={"purposes": [{"purpose": "ANALYTICS", "granted": True}]},
            headers=public,
        )
        assert granted.status_code == 200, granted.text
        placed = httpx.post(
            f"{base}/graphql",
            json={"query": PLACE_HERO},
            headers={"Authorization": f"Bearer {keys.secret}"},
        )
        assert "errors" not in placed.json(), placed.text
        yield Server(base, {"Authorization": f"Bearer {keys.secret}", **hooks}, {**public, **hooks})


@pytest.fixture
def api_schema(server: Server) -> OpenApiSchema:
    # An explicit config, so no schemathesis.toml found on the way up changes the run.
    return schemathesis.openapi.from_url(
        f"{server.base}/v1/openapi.json", config=SchemathesisConfig(seed=20261130)
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_documented_and_none_is_a_server_error(case: Case, server: Server) -> None:
    secret = next(server.turns)
    for header in NEVER_VALID if secret else NEVER_VALID + SECRET_KEY_ONLY:
        (case.headers or {}).pop(header, None)
    headers = server.secret if secret else server.public
    case.call_and_validate(base_url=server.base, headers=headers, checks=CHECKS)
