"""`GET /v1/blocks/{placement}.html|.txt` on signed URLs, and CMS content that attacks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql, headers
from tests.placements.executable import executable_parts
from tests.placements.test_sanitize import CORPUS
from tests.triggers.shop import Clock, quiet, running
from veneer.identity.signed_urls import block_url
from veneer.services import Services
from veneer.settings import Settings

PLACE = "mutation($input: PlacementInput!) { upsertPlacement(input: $input) { key } }"
CAMPERS = """mutation { upsertSegment(key: "campers", name: "Campers",
  rule: {trait: "interests", op: "contains", value: "camping"}) { key } }"""
IDENTIFY = 'mutation { identify(traits: {interests: ["camping"]}) { id } }'


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shop(settings: Settings) -> Settings:
    return quiet(settings).model_copy(update={"site_url": "https://shop.example/"})


@pytest.fixture
def app(shop: Settings, clock: Clock, keys: Keys) -> Iterator[TestClient]:
    for client in running(Services(shop, clock=clock)):
        data(gql(client, CAMPERS, key=keys.secret))
        hero = {"key": "hero", "strategy": "variant", "entries": ["tent-x2"]}
        data(gql(client, PLACE, {"input": hero}, key=keys.secret))
        yield client


def _path(shop: Settings, clock: Clock, user: str, text: bool = False, days: int = 30) -> str:
    url = block_url(
        "http://127.0.0.1",
        shop.signing_secret(),
        "hero",
        user,
        clock.now + timedelta(days=days),
        text,
    )
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _consenting_camper(app: TestClient, keys: Keys, user: str) -> None:
    data(
        gql(
            app,
            "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) "
            "{ purpose } }",
            key=keys.secret,
            **{"X-Veneer-User-Id": user},
        )
    )
    data(gql(app, IDENTIFY, key=keys.secret, **{"X-Veneer-User-Id": user}))


def test_a_signed_url_gives_that_users_block_as_email_html_and_text(
    app: TestClient, keys: Keys, shop: Settings, clock: Clock
) -> None:
    _consenting_camper(app, keys, "u-1")
    html = app.get(_path(shop, clock, "u-1"))
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["cache-control"].startswith("private")
    assert "Room for Two and the Gear" in html.text  # the camper's variant, at open time
    assert "<table" in html.text and 'style="' in html.text
    assert 'href="https://shop.example/product/trailhead-x2-tent"' in html.text
    assert 'href="/' not in html.text

    text = app.get(_path(shop, clock, "u-1", text=True))
    assert text.headers["content-type"].startswith("text/plain")
    assert "Room for Two and the Gear" in text.text and "<" not in text.text
    assert "https://shop.example/product/trailhead-x2-tent" in text.text

    other = app.get(_path(shop, clock, "u-2"))
    assert other.status_code == 200 and "Trailhead X2 Tent" in other.text  # no consent: baseline


def test_a_url_for_another_user_or_expired_or_unsigned_reveals_nothing(
    app: TestClient, keys: Keys, shop: Settings, clock: Clock
) -> None:
    _consenting_camper(app, keys, "u-1")
    good = _path(shop, clock, "u-1", days=1)
    refused = [
        good.replace("user=u-1", "user=u-2"),
        good.replace("sig=", "sig=0"),
        good.split("&sig=")[0],
        "/v1/blocks/hero.html",
        good.replace("/hero.html", "/recommended.html"),
    ]
    clock.advance(days=1)
    refused.append(good)  # expired now
    bodies = set()
    for path in refused:
        response = app.get(path)
        assert response.status_code == 403, path
        assert "Trailhead" not in response.text
        bodies.add(response.text)
    assert len(bodies) == 1  # the same answer whatever is wrong
    assert app.get("/v1/blocks/hero.pdf").status_code == 404


def test_attacks_in_cms_content_never_come_out_executable(
    tmp_path: Path, settings: Settings, keys: Keys
) -> None:
    """A CMS the team does not control: every field of every entry carries an attack."""
    for index, attack in enumerate(CORPUS):
        folder = tmp_path / "page"
        folder.mkdir(exist_ok=True)
        front = {
            "id": f"page-{index}",
            "title": attack,
            "summary": attack,
            "badge": attack,
            "url": attack,
            "image": attack,
        }
        text = f"---\n{yaml.safe_dump(front)}---\n\n{attack}\n\nAnd *more* {attack}\n"
        (folder / f"page-{index}.md").write_text(text)
    ids = [f"page-{i}" for i in range(len(CORPUS))]
    cms = quiet(settings).model_copy(update={"content": f"file:{tmp_path}"})
    for app in running(Services(cms)):
        for template in ("default", "article"):
            spec = {"key": template, "strategy": "pinned", "entries": ids, "first": 14}
            data(gql(app, PLACE, {"input": {**spec, "template": template}}, key=keys.secret))
            for format in ("html", "json"):
                response = app.get(
                    "/v1/personalize/content",
                    params={"placement": template, "format": format},
                    headers=headers(keys.public, "v"),
                )
                assert response.status_code == 200
                html = response.json()["html"] if format == "json" else response.text
                assert html.count("<article") == len(CORPUS)
                assert executable_parts(html) == [], html
