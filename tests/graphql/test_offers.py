"""`viewer { offers }` and trigger management through the app, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql
from tests.triggers.shop import (
    CART_REMINDER,
    UPSELL,
    Clock,
    grant,
    offers,
    quiet,
    running,
    send,
    upsert,
)
from veneer.experiments.assignment import hashed_arm
from veneer.services import Services
from veneer.settings import Settings

LIST = "{ triggers { key priority caps { perDay perWeek } offer definition } }"
DELETE = "mutation($key: String!) { deleteTrigger(key: $key) }"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Iterator[TestClient]:
    yield from running(Services(quiet(settings), clock=clock))


def _abandon(app: TestClient, keys: Keys, clock: Clock, viewer: str, *ids: str) -> None:
    events = [{"id": i, "type": "cart_abandoned"} for i in ids]
    send(app, keys, viewer, events, clock.now)


def test_cart_abandoned_twice_in_a_week_offers_a_reminder_with_a_code_within_its_caps(
    app: TestClient, keys: Keys, clock: Clock
) -> None:
    data(upsert(app, keys, CART_REMINDER))
    grant(app, keys, "ann")
    _abandon(app, keys, clock, "ann", "c1")
    assert offers(app, keys, "ann", "cart") == []
    clock.advance(days=2)
    _abandon(app, keys, clock, "ann", "c2")

    (offer,) = offers(app, keys, "ann", "cart")
    assert offer == {
        "trigger": "cart-reminder",
        "placement": "cart",
        "params": {"code": "COMEBACK10"},
        "reason": "cart_abandoned 2 times in the past 7 days",
        "entry": {"id": "kettle-pot-set", "contentType": "product"},
    }
    assert offers(app, keys, "ann", "cart") == []  # perDay: 1, the served one counts
    assert offers(app, keys, "ann", "hero") == []  # another placement
    clock.advance(hours=25)
    assert [o["trigger"] for o in offers(app, keys, "ann")] == ["cart-reminder"]
    clock.advance(hours=25)
    assert offers(app, keys, "ann", "cart") == []  # perWeek: 2
    clock.advance(days=5)
    assert offers(app, keys, "ann", "cart") == []  # the abandonments left the 7 days


def test_time_on_a_product_page_after_viewing_a_similar_item_offers_an_upsell(
    app: TestClient, keys: Keys, clock: Clock
) -> None:
    data(upsert(app, keys, UPSELL))
    grant(app, keys, "bo")
    send(
        app,
        keys,
        "bo",
        [{"id": "v1", "type": "entry_view", "entryId": "summit-lite-1-tent"}],
        clock.now,
    )
    clock.advance(minutes=3)
    on_tent = [
        {"id": "v2", "type": "entry_view", "entryId": "tent-x2"},
        {"id": "t1", "type": "time_on_page", "entryId": "tent-x2", "properties": {"seconds": 60}},
    ]
    send(app, keys, "bo", on_tent, clock.now)
    assert offers(app, keys, "bo", "product") == []  # a minute is not two

    clock.advance(minutes=1)
    beat = {
        "id": "t2",
        "type": "time_on_page",
        "entryId": "tent-x2",
        "properties": {"seconds": 130},
    }
    send(app, keys, "bo", [beat], clock.now)
    (offer,) = offers(app, keys, "bo", "product")
    assert offer["trigger"] == "tent-upsell" and offer["params"] == {"off": 15}
    assert offer["reason"] == "on product tent-x2 for 130 s, viewed 1 similar item"
    assert offer["entry"] == {"id": "basecamp-55-pack", "contentType": "product"}

    grant(app, keys, "cy")  # the same time on the page, but no similar item viewed before
    send(app, keys, "cy", [{**e, "id": f"cy-{e['id']}"} for e in [*on_tent, beat]], clock.now)
    assert offers(app, keys, "cy", "product") == []


def test_without_personalization_consent_nothing_is_offered_or_recorded(
    app: TestClient, keys: Keys, clock: Clock
) -> None:
    data(upsert(app, keys, {**CART_REMINDER, "when": None, "caps": {"perDay": 1}}))
    assert offers(app, keys, "dee", "cart") == []
    grant(app, keys, "dee")
    assert len(offers(app, keys, "dee", "cart")) == 1  # nothing was counted before


def test_a_dismissal_starts_the_cooldown(app: TestClient, keys: Keys, clock: Clock) -> None:
    data(upsert(app, keys, {**CART_REMINDER, "when": None, "caps": None, "cooldown": "3d"}))
    grant(app, keys, "eve")
    assert len(offers(app, keys, "eve")) == 1
    assert len(offers(app, keys, "eve")) == 1  # no caps: every request
    dismissal = {"id": "d1", "type": "offer_dismissed", "properties": {"trigger": "cart-reminder"}}
    send(app, keys, "eve", [dismissal], clock.now)
    assert offers(app, keys, "eve") == []
    clock.advance(days=2, hours=23)
    assert offers(app, keys, "eve") == []
    clock.advance(hours=2)
    assert len(offers(app, keys, "eve")) == 1


def test_dates_and_priority_decide_what_shows_first(
    app: TestClient, keys: Keys, clock: Clock
) -> None:
    always = {"offer": {"placement": "cart", "content": {"text": "Free shipping"}}}
    data(upsert(app, keys, {"key": "shipping", "priority": 1, **always}))
    data(
        upsert(app, keys, {"key": "sale", "priority": 9, "start": "2026-12-02T00:00:00Z", **always})
    )
    grant(app, keys, "fay")
    assert [o["trigger"] for o in offers(app, keys, "fay", "cart")] == ["shipping"]
    clock.advance(days=1)
    assert [o["trigger"] for o in offers(app, keys, "fay", "cart")] == ["sale", "shipping"]


def test_triggers_are_managed_with_a_secret_key_only(app: TestClient, keys: Keys) -> None:
    created = upsert(app, keys, CART_REMINDER)
    assert data(created)["upsertTrigger"] == {"key": "cart-reminder"}
    (listed,) = data(gql(app, LIST, key=keys.secret))["triggers"]
    assert listed["priority"] == 10 and listed["caps"] == {"perDay": 1, "perWeek": 2}
    assert listed["offer"]["params"] == {"code": "COMEBACK10"}
    assert listed["definition"]["when"] == CART_REMINDER["when"]

    for body in (
        gql(app, LIST, key=keys.public, anonymous_id="a"),
        gql(app, DELETE, {"key": "cart-reminder"}, key=keys.public),
        gql(
            app,
            "mutation($i: TriggerInput!) { upsertTrigger(input: $i) { key } }",
            {"i": CART_REMINDER},
            key=keys.public,
        ),
    ):
        assert error_messages(body) == ["this field needs a secret key"]
    assert data(gql(app, DELETE, {"key": "cart-reminder"}, key=keys.secret))["deleteTrigger"]
    assert not data(gql(app, DELETE, {"key": "cart-reminder"}, key=keys.secret))["deleteTrigger"]
    assert data(gql(app, LIST, key=keys.secret))["triggers"] == []


def test_bad_input_names_the_node_and_saves_nothing(app: TestClient, keys: Keys) -> None:
    bad_rule = {**CART_REMINDER, "when": {"all": [{"event": "x", "count": {"most": 1}}]}}
    error = upsert(app, keys, bad_rule)["errors"][0]
    assert error["message"].startswith("input: input.when.all[0].count.most: must be one of")
    assert error["extensions"]["path"] == "input.when.all[0].count.most"
    caps = upsert(app, keys, {**CART_REMINDER, "caps": {"perDay": 0}})
    assert error_messages(caps) == [
        "input: input.caps.perDay: Input should be greater than or equal to 1"
    ]
    assert data(gql(app, LIST, key=keys.secret))["triggers"] == []
    ghost = upsert(app, keys, {**CART_REMINDER, "when": {"not": {"segment": "ghost"}}})
    assert error_messages(ghost) == ["input: input.when: refers to unknown segment(s): ghost"]
    assert data(gql(app, LIST, key=keys.secret))["triggers"] == []


def test_a_segment_a_trigger_uses_cannot_be_deleted(app: TestClient, keys: Keys) -> None:
    segment = """mutation { upsertSegment(key: "vip", name: "VIP",
      rule: {trait: "vip", op: "eq", value: true}) { key } }"""
    data(gql(app, segment, key=keys.secret))
    data(upsert(app, keys, {**CART_REMINDER, "when": {"segment": "vip"}}))
    refused = gql(app, 'mutation { deleteSegment(key: "vip") }', key=keys.secret)
    assert error_messages(refused) == ["key: segment 'vip' is used by trigger(s): cart-reminder"]
    data(gql(app, DELETE, {"key": "cart-reminder"}, key=keys.secret))
    assert data(gql(app, 'mutation { deleteSegment(key: "vip") }', key=keys.secret))[
        "deleteSegment"
    ]


START = """mutation($input: ExperimentInput!) { upsertExperiment(input: $input) { key } }"""
RESULTS = """query { experimentResults(key: "reminder-test") { arms { arm users } } }"""


def test_a_trigger_in_an_experiment_holds_its_offer_back_from_the_control_arm(
    app: TestClient, keys: Keys, clock: Clock
) -> None:
    arms = [{"key": "holdout", "weight": 0.5, "control": True}, {"key": "offer", "weight": 0.5}]
    experiment = {"key": "reminder-test", "metric": "purchase", "arms": arms}
    data(gql(app, START, {"input": experiment}, key=keys.secret))
    data(upsert(app, keys, {**CART_REMINDER, "experiment": "reminder-test"}))
    services: Services = app.app.state.services  # type: ignore[attr-defined]
    assert app.portal is not None
    stored = app.portal.call(services.experiments, True)["reminder-test"]
    in_arm = {
        arm: next(v for n in range(500) if hashed_arm(stored, f"anon:{(v := f'v{n}')}") == arm)
        for arm in ("holdout", "offer")
    }
    for viewer in in_arm.values():
        grant(app, keys, viewer)
        _abandon(app, keys, clock, viewer, f"{viewer}-c1", f"{viewer}-c2")

    assert offers(app, keys, in_arm["holdout"], "cart") == []  # the control, by another name
    assert [o["trigger"] for o in offers(app, keys, in_arm["offer"], "cart")] == ["cart-reminder"]
    results = data(gql(app, RESULTS, key=keys.secret))["experimentResults"]
    # both sides exposed when the trigger fired, whether or not the offer showed
    assert {a["arm"]: a["users"] for a in results["arms"]} == {"holdout": 1, "offer": 1}
