"""What changes an answer shows on the very next request, even where the answer was kept:
a content webhook, a segment edit, a consent change, a variant's schedule, a promotion."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.graphql.answer_viewers import UPSERT_SEGMENT, Viewer, set_up_shop
from tests.graphql.test_trained_recommendations import RECIPES, _change, _trained
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.jobs import recs_registry
from veneer.jobs.recs_training import train
from veneer.plugin.webhooks import sign
from veneer.recommend.models.itempop import ItemPop
from veneer.services import Services
from veneer.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "veneer" / "sample_content"
SECRET = "webhook-secret"
TENT = '{ entry(id: "tent-x2") { t: field(name: "title") personalization { reason } } }'
WINTER_ENDS = datetime(2027, 3, 31, 23, 59, 59, tzinfo=UTC)  # v-winter's end, in the sample


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Shop:
    client: TestClient
    viewers: list[Viewer]
    content: Path
    clock: Clock

    def device(self, profile: str) -> str:
        return next(v.device for v in self.viewers if v.profile.name == profile)

    def tent(self, keys: Keys, profile: str) -> dict[str, Any]:
        """The tent as ``profile`` sees it, asked twice: the second answer is a kept one."""
        device = self.device(profile)
        first = data(gql(self.client, TENT, key=keys.public, anonymous_id=device))["entry"]
        again = data(gql(self.client, TENT, key=keys.public, anonymous_id=device))["entry"]
        assert again == first
        return first  # type: ignore[no-any-return]


@pytest.fixture
def shop(settings: Settings, keys: Keys, tmp_path: Path) -> Iterator[Shop]:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    settings = settings.model_copy(update={"content": f"file:{content}", "webhook_secret": SECRET})
    clock = Clock(datetime(2026, 12, 1, 12, tzinfo=UTC))
    with TestClient(create_app(settings, Services(settings, clock=clock))) as client:
        yield Shop(client, set_up_shop(client, keys), content, clock)


def test_a_webhook_shows_the_edit_on_the_next_request(shop: Shop, keys: Keys) -> None:
    assert shop.tent(keys, "camper")["t"] == "Trailhead X2: Room for Two and the Gear"
    tent = shop.content / "product" / "trailhead-x2-tent.md"
    tent.write_text(tent.read_text().replace("Room for Two and the Gear", "Two, and Dry"))
    body = orjson.dumps({"action": "publish", "entryIds": ["tent-x2"]})
    signature = {"X-Veneer-Signature": sign(body, SECRET)}
    hook = shop.client.post("/v1/webhooks/wagtail", content=body, headers=signature)
    assert hook.status_code == 200
    assert shop.tent(keys, "camper")["t"] == "Trailhead X2: Two, and Dry"


def test_a_segment_edit_shows_on_the_next_request(shop: Shop, keys: Keys) -> None:
    assert shop.tent(keys, "camper")["personalization"]["reason"].startswith("segment `campers`")
    nobody = {"trait": "interests", "op": "contains", "value": "nothing at all"}
    variables = {"key": "campers", "rule": nobody, "holdout": 0.0}
    data(gql(shop.client, UPSERT_SEGMENT, variables, key=keys.secret))
    assert shop.tent(keys, "camper")["t"] == "Trailhead X2 Tent"


def test_withdrawn_consent_shows_on_the_next_request(shop: Shop, keys: Keys) -> None:
    assert shop.tent(keys, "camper")["t"] == "Trailhead X2: Room for Two and the Gear"
    withdraw = (
        "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: false}]) "
        "{ purpose } }"
    )
    data(gql(shop.client, withdraw, key=keys.public, anonymous_id=shop.device("camper")))
    assert shop.tent(keys, "camper")["personalization"]["reason"] == (
        "no PERSONALIZATION consent: baseline"
    )


def test_a_variant_schedule_ending_shows_at_that_moment(shop: Shop, keys: Keys) -> None:
    shop.clock.now = WINTER_ENDS - timedelta(seconds=1)
    assert shop.tent(keys, "cold")["t"] == "Trailhead X2: Shoulder-Season Ready"
    shop.clock.now = WINTER_ENDS
    assert shop.tent(keys, "cold")["t"] == "Trailhead X2 Tent"


def test_a_promotion_shows_on_the_next_request(settings: Settings, keys: Keys) -> None:
    """Recommendations depend on the model and the viewer's history: a document that reads
    them runs every time, whatever else it reads."""
    _trained(settings, RECIPES)  # v1: EASE, the champion
    query = (
        '{ entry(id: "rope-care-basics") { t: field(name: "title") '
        "recommendations(first: 2) { personalization { strategy } } } }"
    )
    grant = (
        "mutation { setConsent(purposes: [{purpose: RECOMMENDATIONS, granted: true}]) { purpose } }"
    )

    def strategies(client: TestClient) -> set[str]:
        found = data(gql(client, query, key=keys.public, anonymous_id="watcher"))
        return {r["personalization"]["strategy"] for r in found["entry"]["recommendations"]}

    with TestClient(create_app(settings)) as client:
        data(gql(client, grant, key=keys.public, anonymous_id="watcher"))
        assert strategies(client) == strategies(client) == {"EASE:v1"}
        _change(settings, lambda s: train(s, candidates=[ItemPop()], promote=False))
        services = client.app.state.services  # type: ignore[attr-defined]
        assert client.portal is not None
        client.portal.call(recs_registry.promote, services, 2)
        assert strategies(client) == {"ItemPop:v2"}


def test_a_failure_to_read_the_viewer_is_a_graphql_error_not_a_500(
    shop: Shop, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Working out the key reads the viewer's state first; when that fails, the document
    runs and reports it the way it always has."""
    services = shop.client.app.state.services  # type: ignore[attr-defined]

    async def unreadable(*args: object) -> None:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(services, "viewer_state", unreadable)
    answer = shop.client.post(
        "/graphql", json={"query": TENT}, headers={"Authorization": f"Bearer {keys.public}"}
    )
    assert answer.status_code == 200
    assert answer.json()["errors"][0]["path"] == ["entry"]
