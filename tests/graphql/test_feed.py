"""`feed` on the sample shop: pins in their places, variants per viewer, reasons, and errors."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.graphql.feed_client import (
    EVERYTHING,
    consent,
    feed_body,
    feed_page,
    ids,
    track,
    walk,
)
from tests.helpers import data, gql
from tests.recommend import shop
from veneer.app import create_app
from veneer.recommend.strategies import NO_CONSENT
from veneer.settings import Settings

PINNED = "pinned by the editors"
UPSERT = "mutation($k: String!, $r: JSON!) { upsertSegment(key: $k, name: $k, rule: $r) { key } }"
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { segments { key } } }"
CATALOGUE = {entry.id for entry in shop.entries()}
ARTICLES = {entry.id for entry in shop.entries() if entry.content_type == "article"}


def _segment(client: TestClient, keys: Keys, key: str, interest: str) -> None:
    rule = {"trait": "interests", "op": "contains", "value": interest}
    data(gql(client, UPSERT, {"k": key, "r": rule}, key=keys.secret))


def _join(client: TestClient, keys: Keys, viewer: str, interest: str) -> None:
    body = gql(
        client, IDENTIFY, {"t": {"interests": [interest]}}, key=keys.public, anonymous_id=viewer
    )
    data(body)


def test_pinned_entries_take_their_positions_and_every_entry_says_why(
    client: TestClient, keys: Keys
) -> None:
    page = feed_page(client, keys, "reader", first=6)

    edges = page["edges"]
    assert ids(page)[0] == "leave-the-campsite-better" and ids(page)[3] == "fogbank-rain-shell"
    for position in (0, 3):
        assert edges[position]["node"]["personalization"]["reason"] == PINNED
        assert edges[position]["node"]["personalization"]["strategy"] == "pinned"
    others = [e["node"]["personalization"] for i, e in enumerate(edges) if i not in (0, 3)]
    assert {p["strategy"] for p in others} <= {"popular", "recent"}
    assert all(p["reason"].endswith(NO_CONSENT) for p in others)
    assert page["pageInfo"]["hasNextPage"] and not page["pageInfo"]["hasPreviousPage"]
    assert page["pageInfo"]["endCursor"] == edges[-1]["cursor"]


def test_each_viewer_sees_the_variant_their_segment_picks_pins_included(
    client: TestClient, keys: Keys
) -> None:
    _segment(client, keys, "campers", "camping")
    _segment(client, keys, "climbers", "climbing")
    for viewer, interest in (("camper", "camping"), ("climber", "climbing")):
        consent(client, keys, viewer, ["PERSONALIZATION"])
        _join(client, keys, viewer, interest)

    def shown(viewer: str) -> dict[str, dict[str, object]]:
        page = feed_page(client, keys, viewer, first=len(CATALOGUE))
        return {edge["node"]["id"]: edge["node"] for edge in page["edges"]}

    camper, climber, stranger = shown("camper"), shown("climber"), shown("stranger")

    assert camper["tent-x2"]["title"] == "Trailhead X2: Room for Two and the Gear"
    assert camper["tent-x2"]["personalization"]["variantId"] == "v-campers"
    assert camper["tent-x2"]["personalization"]["reason"].endswith(
        "; segment `campers` matched variant `v-campers`"
    )
    assert climber["tent-x2"]["title"] == stranger["tent-x2"]["title"] == "Trailhead X2 Tent"
    assert climber["fogbank-rain-shell"]["title"] == "Fogbank Shell: Your Storm Layer"
    assert climber["fogbank-rain-shell"]["personalization"]["reason"] == (
        f"{PINNED}; segment `climbers` matched variant `v-cold`"
    )
    assert stranger["fogbank-rain-shell"]["personalization"] == {
        "baseline": True,
        "variantId": None,
        "reason": PINNED,
        "strategy": "pinned",
    }


def test_recommendations_follow_the_viewer_with_consent(client: TestClient, keys: Keys) -> None:
    consent(client, keys, "climber", EVERYTHING)
    track(client, keys, "climber", "entry_view", "quickdraw-set-six", "granite-chalk-bag")

    page = feed_page(client, keys, "climber", first=4)

    assert ids(page)[0] == "leave-the-campsite-better"
    second = page["edges"][1]["node"]["personalization"]
    assert second["strategy"] == "similar-to-history"
    assert second["reason"].startswith("because you viewed *")


def test_walking_every_page_lists_each_entry_once(client: TestClient, keys: Keys) -> None:
    walked = walk(client, keys, "walker", first=5)
    assert len(walked) == len(set(walked)) and set(walked) == CATALOGUE


def test_content_types_narrow_the_feed_and_its_pins(client: TestClient, keys: Keys) -> None:
    articles = walk(client, keys, "reader", first=4, types=["article"])
    assert sorted(articles) == sorted(ARTICLES) and articles[0] == "leave-the-campsite-better"
    products = feed_page(client, keys, "reader", first=5, types=["product"])
    assert {e["node"]["contentType"] for e in products["edges"]} == {"product"}
    assert ids(products)[3] == "fogbank-rain-shell"
    assert "leave-the-campsite-better" not in ids(products)


def test_a_feed_is_as_long_as_the_setting_allows(settings: Settings, keys: Keys) -> None:
    short = settings.model_copy(update={"feed_length": 7})
    with TestClient(create_app(short), base_url="http://127.0.0.1") as client:
        walked = walk(client, keys, "scroller", first=3)
    assert len(walked) == len(set(walked)) == 7
    assert walked[0] == "leave-the-campsite-better" and walked[3] == "fogbank-rain-shell"


def test_bad_arguments_are_errors_naming_the_argument(client: TestClient, keys: Keys) -> None:
    entries_cursor = data(
        gql(client, "{ entries(first: 1) { pageInfo { endCursor } } }", key=keys.public)
    )
    cases = {
        "first": [feed_body(client, keys, "v", first=0), feed_body(client, keys, "v", first=101)],
        "after": [
            feed_body(client, keys, "v", after="not-a-cursor"),
            feed_body(client, keys, "v", after=entries_cursor["entries"]["pageInfo"]["endCursor"]),
        ],
        "contentTypes": [feed_body(client, keys, "v", types=["product", "recipe"])],
    }
    for field, bodies in cases.items():
        for body in bodies:
            assert body["data"] is None
            (error,) = body["errors"]
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
            assert error["message"].startswith(f"{field}: "), error
    assert "unknown content type 'recipe'" in cases["contentTypes"][0]["errors"][0]["message"]
    assert "between 1 and 100, got 0" in cases["first"][0]["errors"][0]["message"]


def test_a_cursor_is_bound_to_the_content_types_it_was_issued_for(
    client: TestClient, keys: Keys
) -> None:
    after = feed_page(client, keys, "v", first=2, types=["product", "article"])["pageInfo"]
    same = feed_page(
        client, keys, "v", first=2, after=after["endCursor"], types=["article", "product"]
    )
    assert len(same["edges"]) == 2

    body = feed_body(client, keys, "v", first=2, after=after["endCursor"], types=["article"])

    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    assert error["message"] == (
        "after: this cursor was issued for contentTypes [article, product], not [article]; "
        "page with the same arguments, or start again without after"
    )
