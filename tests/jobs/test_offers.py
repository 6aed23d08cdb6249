"""Offers as events arrive (the worker makes them due), abandoned carts, and a person's
offer records through erasure, export and login. With Redis the worker applies the events."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql, headers, settle
from tests.triggers.shop import (
    CART_REMINDER,
    OFFERS,
    UPSELL,
    Clock,
    grant,
    offers,
    quiet,
    running,
    send,
    upsert,
)
from veneer.identity.viewer import Viewer
from veneer.jobs import people
from veneer.jobs.carts import derive_abandoned_carts
from veneer.jobs.offers import event_needs, serve_offers
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.models import EventRow, TriggerOfferRow
from veneer.triggers import parse_trigger

AS_ANN = {"X-Veneer-User-Id": "ann"}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(both_caches: Settings, clock: Clock) -> Services:
    return Services(quiet(both_caches), clock=clock)


@pytest.fixture
def app(services: Services) -> Iterator[TestClient]:
    yield from running(services)


def _in_app(client: TestClient, call: Any, *args: Any) -> Any:
    assert client.portal is not None
    return client.portal.call(call, *args)


async def _count(services: Services, model: Any, *where: Any) -> int:
    async with services.db.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _send_for_ann(app: TestClient, keys: Keys, events: list[dict[str, Any]], clock: Clock) -> None:
    """A site backend reporting a logged-in user's events with its secret key."""
    batch = [{"timestamp": clock.now.isoformat(), "userId": "ann", **e} for e in events]
    response = app.post("/v1/events", json=batch, headers=headers(keys.secret))
    assert response.status_code == 202 and response.json()["rejected"] == [], response.text
    settle(app)


def _grant_ann(app: TestClient, keys: Keys) -> None:
    grant_all = """mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true},
      {purpose: PERSONALIZATION, granted: true}]) { purpose } }"""
    data(gql(app, grant_all, key=keys.secret, **AS_ANN))


def test_an_offer_made_due_by_arriving_events_waits_for_the_email_tool(
    app: TestClient, keys: Keys, clock: Clock, services: Services
) -> None:
    data(upsert(app, keys, CART_REMINDER))
    _grant_ann(app, keys)
    _send_for_ann(app, keys, [{"id": "c1", "type": "cart_abandoned"}], clock)
    assert _in_app(app, _count, services, TriggerOfferRow) == 0  # once is not twice
    clock.advance(days=1)
    _send_for_ann(app, keys, [{"id": "c2", "type": "cart_abandoned"}], clock)
    assert _in_app(app, _count, services, TriggerOfferRow, TriggerOfferRow.state == "due") == 1

    clock.advance(days=8)  # the abandonments left the window; the due offer still stands
    body = gql(app, OFFERS, {"placement": "cart"}, key=keys.secret, **AS_ANN)
    (offer,) = data(body)["viewer"]["offers"]
    assert offer["reason"] == "cart_abandoned 2 times in the past 7 days"
    assert offer["params"] == {"code": "COMEBACK10"}
    assert _in_app(app, _count, services, TriggerOfferRow, TriggerOfferRow.state == "due") == 0
    body = gql(app, OFFERS, {"placement": "cart"}, key=keys.secret, **AS_ANN)
    assert data(body)["viewer"]["offers"] == []


def test_no_offer_becomes_due_without_personalization(
    app: TestClient, keys: Keys, clock: Clock, services: Services
) -> None:
    data(upsert(app, keys, CART_REMINDER))
    only_analytics = """mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}])
      { purpose } }"""
    data(gql(app, only_analytics, key=keys.public, anonymous_id="bo"))
    events = [{"id": f"c{i}", "type": "cart_abandoned"} for i in range(3)]
    send(app, keys, "bo", events, clock.now)
    assert offers(app, keys, "bo") == []
    assert _in_app(app, _count, services, TriggerOfferRow) == 0


def test_an_add_to_cart_not_followed_by_a_purchase_becomes_cart_abandoned_once(
    app: TestClient, keys: Keys, clock: Clock, services: Services
) -> None:
    data(upsert(app, keys, CART_REMINDER))
    add = {"type": "add_to_cart", "entryId": "tent-x2", "properties": {"quantity": 1}}
    for viewer in ("cy", "dee", "eve"):
        grant(app, keys, viewer)
    send(app, keys, "cy", [{"id": "cy-1", **add}], clock.now)
    send(app, keys, "dee", [{"id": "dee-1", **add}], clock.now)
    buy = {"id": "dee-2", "type": "purchase", "properties": {"value": 289, "currency": "EUR"}}
    send(app, keys, "eve", [{"id": "eve-1", **add}], clock.now)
    revoke = "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: false}]) { purpose } }"
    data(gql(app, revoke, key=keys.public, anonymous_id="eve"))
    clock.advance(minutes=30)
    send(app, keys, "dee", [buy], clock.now)

    assert _in_app(app, derive_abandoned_carts, services) == 0  # the hour is not up
    clock.advance(minutes=31)
    assert _in_app(app, derive_abandoned_carts, services) == 1  # cy's; dee bought, eve withdrew
    assert _in_app(app, derive_abandoned_carts, services) == 0  # re-running adds nothing
    abandoned = (EventRow.type == "cart_abandoned",)
    assert (
        _in_app(app, _count, services, EventRow, *abandoned, EventRow.viewer_id == "anon:cy") == 1
    )
    assert _in_app(app, _count, services, EventRow, *abandoned) == 1

    clock.advance(hours=2)  # a second abandoned cart makes the reminder due
    send(app, keys, "cy", [{"id": "cy-2", **add}], clock.now)
    clock.advance(hours=2)
    assert _in_app(app, derive_abandoned_carts, services) == 1
    assert _in_app(app, _count, services, TriggerOfferRow, TriggerOfferRow.state == "due") == 1
    (offer,) = offers(app, keys, "cy", "cart")
    assert offer["reason"] == "cart_abandoned 2 times in the past 7 days"


def test_caps_hold_under_concurrent_requests(
    app: TestClient, keys: Keys, services: Services
) -> None:
    data(upsert(app, keys, {**CART_REMINDER, "when": None, "caps": {"perDay": 2}}))
    grant(app, keys, "fay")
    viewer = Viewer(anonymous_id="fay")

    async def race() -> list[int]:
        state = await services.viewer_state(viewer, gpc=False)
        served = await asyncio.gather(
            *(serve_offers(services, viewer, state, "cart") for _ in range(6))
        )
        return [len(s) for s in served]

    assert sorted(_in_app(app, race)) == [0, 0, 0, 0, 1, 1]


def test_offers_move_to_the_user_on_login_are_exported_and_erased(
    app: TestClient, keys: Keys, services: Services
) -> None:
    data(upsert(app, keys, {**CART_REMINDER, "when": None, "caps": {"perDay": 1}}))
    grant(app, keys, "gus-phone")
    assert len(offers(app, keys, "gus-phone", "cart")) == 1
    secret_login = {"X-Veneer-User-Id": "gus"}
    grant_user = """mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}])
      { purpose } }"""
    body = gql(app, grant_user, key=keys.secret, anonymous_id="gus-phone", **secret_login)
    data(body)  # names both device and user: the device's history joins the user's
    as_gus = gql(
        app,
        OFFERS,
        {"placement": "cart"},
        key=keys.secret,
        anonymous_id="gus-phone",
        **secret_login,
    )
    assert data(as_gus)["viewer"]["offers"] == []  # the phone's offer counts for gus today

    exported = _in_app(app, people.export, services, Viewer(user_id="gus"))
    (record,) = exported["triggerOffers"]
    assert record["viewerId"] == "user:gus" and record["trigger"] == "cart-reminder"
    assert record["state"] == "served"
    removed = _in_app(app, people.forget, services, Viewer(user_id="gus"), "test")
    assert removed["triggerOffers"] == 1
    assert _in_app(app, _count, services, TriggerOfferRow) == 0


def test_page_events_are_read_only_as_far_back_as_page_conditions_look() -> None:
    cart = parse_trigger(CART_REMINDER)
    page = parse_trigger({**UPSELL, "page": {"timeOnPage": {"gte": 120}}})
    needs = event_needs([cart, page], timedelta(days=90))
    assert needs.types == {"cart_abandoned", "offer_dismissed"}
    assert needs.since == timedelta(days=7)
    assert needs.page_types == {"entry_view", "time_on_page"}
    assert needs.page_since == timedelta(hours=1)
    assert event_needs([parse_trigger(UPSELL)], timedelta(days=90)).page_since == timedelta(days=7)
    views = parse_trigger({**UPSELL, "when": {"event": "entry_view", "within": "30m"}})
    counted = event_needs([views], timedelta(days=90))
    assert "entry_view" in counted.types and counted.page_types == {"time_on_page"}
    assert counted.since == timedelta(days=7)  # as far as similarViewed needs views
