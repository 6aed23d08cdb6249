"""A shop with triggers, driven the way a site drives Veneer: GraphQL and `POST /v1/events`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql, headers, settle
from veneer.app import create_app
from veneer.services import Services
from veneer.settings import Settings

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GRANT = """mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true},
  {purpose: PERSONALIZATION, granted: true}]) { purpose } }"""
UPSERT = """mutation($input: TriggerInput!) { upsertTrigger(input: $input) { key } }"""
OFFERS = """query($placement: String) { viewer { offers(placement: $placement) {
  trigger placement params reason entry { id contentType } } } }"""
CART_REMINDER = {
    "key": "cart-reminder",
    "when": {"event": "cart_abandoned", "count": {"gte": 2}, "within": "7d"},
    "offer": {"placement": "cart", "entry": "kettle-pot-set", "params": {"code": "COMEBACK10"}},
    "caps": {"perDay": 1, "perWeek": 2},
    "priority": 10,
}
UPSELL = {
    "key": "tent-upsell",
    "page": {"timeOnPage": {"gte": 120}, "contentType": "product", "similarViewed": {"gte": 1}},
    "offer": {"placement": "product", "entry": "basecamp-55-pack", "params": {"off": 15}},
    "priority": 5,
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def quiet(settings: Settings) -> Settings:
    """No caching between requests and no housekeeping behind the test's back."""
    return settings.model_copy(
        update={
            "viewer_cache_ttl": 0,
            "segment_decide_interval": 3600,
            "segment_sweep_interval": 3600,
            "cart_check_interval": 3600,
        }
    )


def running(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=services), base_url="http://127.0.0.1") as client:
        yield client


def upsert(client: TestClient, keys: Keys, spec: dict[str, Any]) -> dict[str, Any]:
    return gql(client, UPSERT, {"input": spec}, key=keys.secret)


def grant(client: TestClient, keys: Keys, viewer: str) -> None:
    data(gql(client, GRANT, key=keys.public, anonymous_id=viewer))


def send(
    client: TestClient, keys: Keys, viewer: str, events: list[dict[str, Any]], now: datetime
) -> None:
    """Events as a site's frontend posts them, applied (by the worker, with Redis)."""
    batch = [{"timestamp": now.isoformat(), **e} for e in events]
    response = client.post("/v1/events", json=batch, headers=headers(keys.public, viewer))
    assert response.status_code == 202, response.text
    assert response.json()["rejected"] == [], response.text
    settle(client)


def offers(
    client: TestClient, keys: Keys, viewer: str, placement: str | None = None
) -> list[dict[str, Any]]:
    body = gql(client, OFFERS, {"placement": placement}, key=keys.public, anonymous_id=viewer)
    result: list[dict[str, Any]] = data(body)["viewer"]["offers"]
    return result
