"""Apollo Client's persisted-query link, configured as its docs say, against a real Veneer.

The first run sends the hash alone (GET), hears PersistedQueryNotFound and sends the text
(POST); every run after that is a GET with the hash alone.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from bench.servers import uvicorn_server, veneer_env
from tests.conftest import TEST_SECRET, Keys
from veneer.settings import Settings

SITE = Path(__file__).parent / "apollo_client"
QUERY = 'query Tent($id: ID!) { entry(id: $id) { id title: field(name: "title") } }'


def test_apollo_client_registers_once_then_sends_hashes_by_get(
    settings: Settings, keys: Keys
) -> None:
    if not (SITE / "node_modules" / "@apollo" / "client").is_dir():
        pytest.fail("tests/e2e/apollo_client is not installed: run `make test`")
    env = veneer_env(database_url=settings.database_url, secret=TEST_SECRET, content="sample")
    with uvicorn_server("veneer.app:create_app", env, factory=True) as base:
        request = {
            "uri": f"{base}/graphql",
            "headers": {"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": "a"},
            "query": QUERY,
            "variables": {"id": "tent-x2"},
            "times": 3,
        }
        done = subprocess.run(
            ["node", "apq.mjs"],
            cwd=SITE,
            input=orjson.dumps(request),
            capture_output=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr.decode()
    answer = orjson.loads(done.stdout)
    tent = {"__typename": "Product", "id": "tent-x2", "title": "Trailhead X2 Tent"}
    assert [result["entry"] for result in answer["results"]] == [tent, tent, tent]
    assert answer["requests"] == [
        {"method": "GET", "sentText": False, "status": 200},  # PersistedQueryNotFound
        {"method": "POST", "sentText": True, "status": 200},
        {"method": "GET", "sentText": False, "status": 200},
        {"method": "GET", "sentText": False, "status": 200},
    ]
