"""A content webhook reaching one app process re-checks the typed schema in all of them."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import orjson
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import gql
from veneer.app import create_app
from veneer.backends.bus import CONTENT_CHANNEL, Bus
from veneer.content_adapters.file import SAMPLE_CONTENT
from veneer.plugin.webhooks import SIGNATURE_HEADER, sign
from veneer.settings import Settings

SECRET = "bus-webhook-secret"
RECIPES = "{ recipes(first: 5) { edges { node { title } } } }"


def _serves_recipes(client: TestClient, keys: Keys) -> bool:
    return "errors" not in gql(client, RECIPES, key=keys.public)


def test_a_webhook_to_one_process_refreshes_the_others(
    database_url: str, redis_url: str, keys: Keys, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret="x" * 32,
        content=f"file:{content}",
        webhook_secret=SECRET,
        content_model_refresh=3600,  # only the webhook can explain a refresh
    )
    with (
        TestClient(create_app(settings), base_url="http://127.0.0.1") as first,
        TestClient(create_app(settings), base_url="http://127.0.0.1") as second,
    ):
        assert not _serves_recipes(first, keys) and not _serves_recipes(second, keys)
        (content / "recipe").mkdir()
        (content / "recipe" / "chili.md").write_text("---\ntitle: Trail chili\n---\nBeans.\n")
        body = orjson.dumps({"action": "publish", "entryIds": ["chili"]})
        hook = first.post(
            "/v1/webhooks/generic", content=body, headers={SIGNATURE_HEADER: sign(body, SECRET)}
        )
        assert hook.status_code == 200

        deadline = time.monotonic() + 10  # the other process hears it over Redis pub/sub
        while not _serves_recipes(second, keys) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _serves_recipes(second, keys), "the second process never heard of the change"
        assert _serves_recipes(first, keys)


def test_without_redis_or_when_it_fails_this_process_still_hears() -> None:
    async def run() -> list[str]:
        heard: list[str] = []

        async def listener() -> None:
            heard.append("changed")

        local = Bus(None, CONTENT_CHANNEL)
        local.subscribe(listener)
        await local.publish()
        broken_redis = Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
        broken = Bus(broken_redis, CONTENT_CHANNEL)
        broken.subscribe(listener)
        await broken.publish()
        await broken_redis.aclose()
        return heard

    assert asyncio.run(run()) == ["changed", "changed"]
