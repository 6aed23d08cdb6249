"""Placements and blocks through GraphQL and `GET /v1/personalize/content`, on SQLite and
PostgreSQL: each viewer's variant, consent, offers, errors that name the field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql, headers
from tests.triggers.shop import CART_REMINDER, Clock, grant, quiet, running, send, upsert
from veneer.services import Services
from veneer.settings import Settings

PLACE = """mutation($input: PlacementInput!) {
  upsertPlacement(input: $input) { key strategy contentTypes entries template first } }"""
BLOCK = """query($p: String!, $f: BlockFormat) { block(placement: $p, format: $f) {
  placement strategy format reason content offer params
  entries { id personalization { variantId reason strategy } } } }"""
CAMPERS = """mutation { upsertSegment(key: "campers", name: "Campers",
  rule: {trait: "interests", op: "contains", value: "camping"}) { key } }"""
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"
HERO = {"key": "hero", "strategy": "variant", "entries": ["tent-x2"]}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, clock: Clock, keys: Keys) -> Iterator[TestClient]:
    for client in running(Services(quiet(settings), clock=clock)):
        data(gql(client, CAMPERS, key=keys.secret))
        data(gql(client, PLACE, {"input": HERO}, key=keys.secret))
        yield client


def _camper(app: TestClient, keys: Keys, viewer: str) -> None:
    grant(app, keys, viewer)
    data(
        gql(app, IDENTIFY, {"t": {"interests": ["camping"]}}, key=keys.public, anonymous_id=viewer)
    )


def _content(app: TestClient, keys: Keys, viewer: str, **params: str) -> Any:
    return app.get("/v1/personalize/content", params=params, headers=headers(keys.public, viewer))


def test_each_viewer_gets_the_variant_for_their_segment_and_why(
    app: TestClient, keys: Keys
) -> None:
    _camper(app, keys, "camper")
    grant(app, keys, "stranger")
    camper = data(gql(app, BLOCK, {"p": "hero"}, key=keys.public, anonymous_id="camper"))
    stranger = data(gql(app, BLOCK, {"p": "hero"}, key=keys.public, anonymous_id="stranger"))

    assert camper["block"]["entries"] == [
        {
            "id": "tent-x2",
            "personalization": {
                "variantId": "v-campers",
                "reason": "segment `campers` matched variant `v-campers`",
                "strategy": None,
            },
        }
    ]
    assert "Room for Two and the Gear" in camper["block"]["content"]
    assert 'data-veneer-variant="v-campers"' in camper["block"]["content"]
    assert camper["block"]["reason"] == "segment `campers` matched variant `v-campers`"
    assert stranger["block"]["entries"][0]["personalization"]["variantId"] is None
    assert "Trailhead X2 Tent" in stranger["block"]["content"]

    rest = _content(app, keys, "camper", placement="hero")
    assert rest.status_code == 200
    assert rest.headers["cache-control"].startswith("private")
    body = rest.json()
    assert body["html"] == camper["block"]["content"]
    assert [(e["id"], e["variantId"]) for e in body["entries"]] == [("tent-x2", "v-campers")]
    assert body["entries"][0]["fields"]["badge"] == "Campground favourite"


def test_a_camper_without_personalization_consent_sees_the_baseline(
    app: TestClient, keys: Keys
) -> None:
    _camper(app, keys, "camper")
    data(
        gql(
            app,
            "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: false}]) "
            "{ purpose } }",
            key=keys.public,
            anonymous_id="camper",
        )
    )
    body = _content(app, keys, "camper", placement="hero", format="html")
    assert body.headers["content-type"].startswith("text/html")
    assert "Trailhead X2 Tent" in body.text and "v-campers" not in body.text


def test_formats_and_errors_name_the_field(app: TestClient, keys: Keys) -> None:
    text = _content(app, keys, "v", placement="hero", format="text")
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.startswith("Trailhead X2 Tent\n") and "<" not in text.text

    cases = [
        ({"placement": "hero", "format": "pdf"}, 400, "format"),
        ({}, 400, "placement"),
        ({"placement": "nope"}, 404, "placement"),
    ]
    for params, status, field in cases:
        response = _content(app, keys, "v", **params)
        assert response.status_code == status, params
        (error,) = response.json()["errors"]
        assert error["extensions"]["field"] == field
    assert "known: hero" in _content(app, keys, "v", placement="nope").text

    body = gql(app, BLOCK, {"p": "nope"}, key=keys.public, anonymous_id="v")
    assert body["errors"][0]["extensions"]["field"] == "placement"
    json_block = data(gql(app, BLOCK, {"p": "hero", "f": "JSON"}, key=keys.public))["block"]
    assert json_block["content"] is None and json_block["entries"][0]["id"] == "tent-x2"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"entries": ["tent-x2", "no-such-entry"]}, "input.entries[1]", "no entry"),
        ({"contentTypes": ["gadget"]}, "input.contentTypes[0]", "unknown content type"),
        ({"template": "carousel"}, "input.template", "no template"),
        ({"strategy": "random"}, "input.strategy", "one of"),
        ({"first": 99}, "input.first", "between 1 and 20"),
    ],
)
def test_a_placement_that_cannot_work_is_refused(
    app: TestClient, keys: Keys, change: dict[str, Any], field: str, words: str
) -> None:
    body = gql(app, PLACE, {"input": {**HERO, "key": "other", **change}}, key=keys.secret)
    (error,) = body["errors"]
    assert error["extensions"]["field"] == field
    assert words in error["message"]
    listed = data(gql(app, "{ placements { key } }", key=keys.secret))["placements"]
    assert listed == [{"key": "hero"}]


def test_placements_are_managed_with_a_secret_key_only(app: TestClient, keys: Keys) -> None:
    body = gql(app, "{ placements { key } }", key=keys.public)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = gql(app, PLACE, {"input": {**HERO, "key": "mine"}}, key=keys.public)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    saved = data(gql(app, "{ placements { key strategy entries first } }", key=keys.secret))
    assert saved["placements"] == [
        {"key": "hero", "strategy": "variant", "entries": ["tent-x2"], "first": 1}
    ]
    deleted = data(gql(app, 'mutation { deletePlacement(key: "hero") }', key=keys.secret))
    assert deleted == {"deletePlacement": True}
    assert _content(app, keys, "v", placement="hero").status_code == 404


def test_a_variant_placement_over_a_content_type_shows_the_viewers_variant_first(
    app: TestClient, keys: Keys
) -> None:
    spec = {"key": "pdp", "strategy": "variant", "contentTypes": ["product"], "first": 2}
    data(gql(app, PLACE, {"input": spec}, key=keys.secret))
    _camper(app, keys, "camper")
    grant(app, keys, "stranger")
    camper = _content(app, keys, "camper", placement="pdp").json()["entries"]
    stranger = _content(app, keys, "stranger", placement="pdp").json()["entries"]
    assert camper[0]["variantId"] is not None and len(camper) == 2
    assert all(e["variantId"] is None for e in stranger)
    assert camper[0]["id"] not in [e["id"] for e in stranger]


def test_recommendations_and_pinned_blocks(app: TestClient, keys: Keys) -> None:
    for spec in (
        {"key": "recommended", "strategy": "recommendations", "first": 3},
        {"key": "picks", "strategy": "pinned", "entries": ["kettle-pot-set", "tent-x2"]},
    ):
        data(gql(app, PLACE, {"input": {**spec}}, key=keys.secret))
    recommended = data(gql(app, BLOCK, {"p": "recommended"}, key=keys.public, anonymous_id="r"))
    entries = recommended["block"]["entries"]
    assert len(entries) == 3
    assert all(e["personalization"]["strategy"] for e in entries)
    pinned = _content(app, keys, "r", placement="picks").json()
    assert [e["id"] for e in pinned["entries"]] == ["kettle-pot-set"]  # first: 1
    assert pinned["reason"] == "pinned by the editors"


def test_an_offer_placement_shows_the_due_offer_with_its_code(
    app: TestClient, keys: Keys, clock: Clock
) -> None:
    data(upsert(app, keys, CART_REMINDER))
    data(gql(app, PLACE, {"input": {"key": "cart", "strategy": "offer"}}, key=keys.secret))
    grant(app, keys, "ann")
    assert _content(app, keys, "ann", placement="cart").status_code == 204
    for event in ("c1", "c2"):
        send(app, keys, "ann", [{"id": event, "type": "cart_abandoned"}], clock.now)
    block = _content(app, keys, "ann", placement="cart").json()
    assert block["offer"] == "cart-reminder"
    assert block["params"] == {"code": "COMEBACK10"}
    assert [e["id"] for e in block["entries"]] == ["kettle-pot-set"]
    assert "COMEBACK10" in block["html"]
    assert block["reason"].startswith("offer from trigger `cart-reminder`")
    # served once: the trigger's cap of one a day holds for blocks too
    assert _content(app, keys, "ann", placement="cart").status_code == 204


def test_a_site_backend_renders_a_users_block_with_its_secret_key(
    app: TestClient, keys: Keys
) -> None:
    """Server-side rendering: the backend names the user, then inlines the HTML."""
    user = {"X-Veneer-User-Id": "u-1"}
    grant_user = (
        "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) { purpose } }"
    )
    data(gql(app, grant_user, key=keys.secret, **user))
    data(gql(app, IDENTIFY, {"t": {"interests": ["camping"]}}, key=keys.secret, **user))
    params = {"placement": "hero", "format": "html"}
    inline = app.get("/v1/personalize/content", params=params, headers=headers(keys.secret, **user))
    assert inline.status_code == 200 and 'data-veneer-variant="v-campers"' in inline.text
    refused = app.get(
        "/v1/personalize/content", params=params, headers=headers(keys.public, **user)
    )
    assert refused.status_code == 403  # a public key never names another viewer


def test_a_block_showing_an_experiments_arm_enrols_the_viewer(app: TestClient, keys: Keys) -> None:
    start = """mutation { upsertExperiment(input: {key: "pack-headline", metric: "purchase"})
      { key } }"""
    data(gql(app, start, key=keys.secret))
    spec = {"key": "pack", "strategy": "variant", "entries": ["basecamp-55-pack"]}
    data(gql(app, PLACE, {"input": spec}, key=keys.secret))
    shown = {}
    for viewer in ("v1", "v2", "v3", "v4"):
        grant(app, keys, viewer)
        block = _content(app, keys, viewer, placement="pack").json()
        shown[viewer] = block["entries"][0]["variantId"] or "control"
    results = data(
        gql(
            app,
            'query { experimentResults(key: "pack-headline") { arms { arm users } } }',
            key=keys.secret,
        )
    )["experimentResults"]
    users = {a["arm"]: a["users"] for a in results["arms"]}
    assert users == {
        arm: sum(1 for seen in shown.values() if seen == arm) for arm in ("control", "weekend-copy")
    }
