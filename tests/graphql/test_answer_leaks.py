"""No viewer ever receives another's answer: not through reuse under concurrency, not
through a GET's ETag.

The viewers come in pairs that differ in one membership, one consent purpose, one holdout or
one experiment arm; each pair sees the same documents differently. Their requests are sent
all at once, interleaved, by POST and by GET, to one app that reuses answers.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson
import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.graphql.answer_viewers import WHOLE_SHOP, Viewer, set_up_shop
from tests.helpers import headers
from veneer.app import create_app
from veneer.settings import Settings

Shop = tuple[TestClient, list[Viewer], dict[tuple[str, int], Any]]
PAIRS = (
    ("camper", "climber"),  # one membership
    ("nobody", "browser"),  # one consent purpose
    ("camper", "camper-b"),  # one arm
    ("cold", "cold-held-out"),  # one holdout
)


def _get_url(body: dict[str, Any]) -> str:
    params = {"query": body["query"]}
    if "variables" in body:
        params["variables"] = orjson.dumps(body["variables"]).decode()
    return "/graphql?" + urlencode(params)


@pytest.fixture
def shop(settings: Settings, keys: Keys) -> Iterator[Shop]:
    """The reusing app, its viewers, and each viewer's answer to each document, from an app
    that runs every document."""
    with TestClient(create_app(settings.model_copy(update={"answer_cache_size": 0}))) as running:
        viewers = set_up_shop(running, keys)
        expected = {
            (viewer.device, number): running.post(
                "/graphql", json=body, headers=headers(keys.public, viewer.device)
            ).json()
            for viewer in viewers
            for number, body in enumerate(WHOLE_SHOP)
        }
    with TestClient(create_app(settings)) as reusing:
        yield reusing, viewers, expected


def _device(viewers: list[Viewer], profile: str) -> str:
    return next(v.device for v in viewers if v.profile.name == profile)


def test_each_pair_differs_so_a_leak_would_show(shop: Shop) -> None:
    _, viewers, expected = shop
    for one, other in PAIRS:
        a, b = _device(viewers, one), _device(viewers, other)
        assert any(expected[(a, n)] != expected[(b, n)] for n in range(len(WHOLE_SHOP))), (a, b)


def test_concurrent_requests_each_get_their_own_viewers_answer(shop: Shop, keys: Keys) -> None:
    client, viewers, expected = shop
    rng = random.Random(7)
    asks = [(v, n, rng.random() < 0.5) for v in viewers for n in range(len(WHOLE_SHOP))] * 8
    rng.shuffle(asks)

    async def ask_all() -> list[tuple[str, int, Any]]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:

            async def ask(viewer: Viewer, number: int, by_get: bool) -> tuple[str, int, Any]:
                body = WHOLE_SHOP[number]
                sent = headers(keys.public, viewer.device)
                if by_get:
                    response = await http.get(_get_url(body), headers=sent)
                else:
                    response = await http.post("/graphql", json=body, headers=sent)
                assert response.status_code == 200, response.text
                return viewer.device, number, response.json()

            return await asyncio.gather(*(ask(*a) for a in asks))

    assert client.portal is not None
    for device, number, answer in client.portal.call(ask_all):
        assert answer == expected[(device, number)], (device, WHOLE_SHOP[number])


def test_an_etag_says_unchanged_only_to_the_viewer_it_was_given_to(shop: Shop, keys: Keys) -> None:
    client, viewers, expected = shop
    for one, other in PAIRS:
        a, b = _device(viewers, one), _device(viewers, other)
        for number, body in enumerate(WHOLE_SHOP):
            url = _get_url(body)
            first = client.get(url, headers=headers(keys.public, a))
            etag = first.headers["ETag"]
            again = client.get(url, headers=headers(keys.public, a, **{"If-None-Match": etag}))
            assert again.status_code == 304
            theirs = client.get(url, headers=headers(keys.public, b, **{"If-None-Match": etag}))
            if expected[(a, number)] == expected[(b, number)]:
                continue  # the same bytes: "unchanged" would be the truth
            assert theirs.status_code == 200
            assert theirs.json() == expected[(b, number)]
            assert theirs.headers["Cache-Control"] == "private, no-cache"
