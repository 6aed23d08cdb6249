"""Recommendations and similar entries, as a shop's frontend asks for them, on the sample shop."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.content_adapters.file import SAMPLE_CONTENT
from veneer.jobs.popularity import refresh_popularity
from veneer.plugin.webhooks import sign
from veneer.recommend.strategies import NO_CONSENT
from veneer.settings import Settings

ids = itertools.count()
CONSENT = """
mutation($purposes: [ConsentInput!]!) { setConsent(purposes: $purposes) { purpose granted } }"""
TRACK = "mutation($e: [EventInput!]!) { track(events: $e) { accepted rejected { message } } }"
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { segments { key } } }"
WHY = "id contentType fields personalization { baseline variantId reason strategy }"
FOR_YOU = f"""query($first: Int!, $types: [String!], $exclude: [ID!]) {{
  recommendations(first: $first, contentTypes: $types, exclude: $exclude) {{ {WHY} }}
}}"""
NEXT_TO = f"""query($id: ID!, $first: Int!, $types: [String!]) {{
  entry(id: $id) {{ recommendations(first: $first, contentTypes: $types) {{ {WHY} }} }}
}}"""
SIMILAR = f"""query($id: ID!, $first: Int!) {{
  entry(id: $id) {{ similar(first: $first) {{ {WHY} }} }}
}}"""
EVERYTHING = ["ANALYTICS", "PERSONALIZATION", "RECOMMENDATIONS"]


def _tags(entry: dict[str, Any]) -> set[str]:
    return set(entry["fields"].get("tags", []))


def _consent(
    client: TestClient, keys: Keys, viewer: str, purposes: list[str], granted: bool = True
) -> None:
    variables = {"purposes": [{"purpose": p, "granted": granted} for p in purposes]}
    data(gql(client, CONSENT, variables, key=keys.public, anonymous_id=viewer))


Event = tuple[str, str | None, dict[str, Any]]  # type, entryId, properties


def _track(client: TestClient, keys: Keys, viewer: str, *events: Event) -> None:
    batch = [
        {"id": f"rec-{next(ids)}", "type": kind, "anonymousId": viewer, "entryId": entry_id}
        | ({"properties": properties} if properties else {})
        for kind, entry_id, properties in events
    ]
    result = data(gql(client, TRACK, {"e": batch}, key=keys.public, anonymous_id=viewer))
    assert result["track"]["rejected"] == []


def _views(client: TestClient, keys: Keys, viewer: str, *entry_ids: str) -> None:
    _track(client, keys, viewer, *[("entry_view", entry_id, {}) for entry_id in entry_ids])


def _for_you(
    client: TestClient, keys: Keys, viewer: str, first: int = 5, **variables: Any
) -> list[dict[str, Any]]:
    body = gql(client, FOR_YOU, {"first": first, **variables}, key=keys.public, anonymous_id=viewer)
    return data(body)["recommendations"]  # type: ignore[no-any-return]


def _next_to(
    client: TestClient, keys: Keys, viewer: str, entry_id: str, first: int = 5, **variables: Any
) -> list[dict[str, Any]]:
    body = gql(
        client,
        NEXT_TO,
        {"id": entry_id, "first": first, **variables},
        key=keys.public,
        anonymous_id=viewer,
    )
    return data(body)["entry"]["recommendations"]  # type: ignore[no-any-return]


def _popularity_job(client: TestClient) -> None:
    assert client.portal is not None
    client.portal.call(refresh_popularity, client.app.state.services)  # type: ignore[attr-defined]


def test_similar_entries_to_a_tent_are_camping_and_trail_gear(
    client: TestClient, keys: Keys
) -> None:
    body = gql(client, SIMILAR, {"id": "tent-x2", "first": 5}, key=keys.public, anonymous_id="a")
    similar = data(body)["entry"]["similar"]
    assert len(similar) == 5 and "tent-x2" not in [e["id"] for e in similar]
    assert all(_tags(e) & {"camping", "hiking", "backpacking"} for e in similar), similar
    assert sum("camping" in _tags(e) for e in similar) >= 3
    assert {e["personalization"]["reason"] for e in similar} == {"similar to *Trailhead X2 Tent*"}
    assert {e["personalization"]["strategy"] for e in similar} == {"similar"}


def test_a_viewer_who_viewed_climbing_gear_is_recommended_more_climbing(
    client: TestClient, keys: Keys
) -> None:
    _consent(client, keys, "climber", EVERYTHING)
    _views(client, keys, "climber", "quickdraw-set-six", "granite-chalk-bag")

    picked = _for_you(client, keys, "climber", first=3)

    assert all("climbing" in _tags(e) for e in picked), picked
    assert not {"quickdraw-set-six", "granite-chalk-bag"} & {e["id"] for e in picked}
    reasons = {e["personalization"]["reason"] for e in picked}
    assert reasons <= {
        "because you viewed *Crux Quickdraw Set (6-Pack)*",
        "because you viewed *Granite Chalk Bag*",
    }
    assert {e["personalization"]["strategy"] for e in picked} == {"similar-to-history"}


def test_segment_favourites_then_overall_favourites_fill_a_list(
    client: TestClient, keys: Keys
) -> None:
    rule = {"trait": "interests", "op": "contains", "value": "climbing"}
    upsert = 'mutation($r: JSON!) { upsertSegment(key: "climbers", name: "C", rule: $r) { key } }'
    data(gql(client, upsert, {"r": rule}, key=keys.secret))
    for n in range(3):
        viewer = f"crag-{n}"
        _consent(client, keys, viewer, EVERYTHING)
        data(
            gql(
                client,
                IDENTIFY,
                {"t": {"interests": ["climbing"]}},
                key=keys.public,
                anonymous_id=viewer,
            )
        )
        _views(client, keys, viewer, "rope-care-basics")
    for n in range(5):  # more viewers, outside the segment, made the tent popular overall
        _consent(client, keys, f"camper-{n}", EVERYTHING)
        _views(client, keys, f"camper-{n}", "tent-x2")
    _popularity_job(client)

    _consent(client, keys, "new-climber", ["PERSONALIZATION", "RECOMMENDATIONS"])
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"interests": ["climbing"]}},
            key=keys.public,
            anonymous_id="new-climber",
        )
    )
    picked = _for_you(client, keys, "new-climber", first=3)

    assert (
        [  # the reason goes on to name the climbers' variant of the rope article
            (
                e["id"],
                e["personalization"]["reason"].split(";")[0],
                e["personalization"]["strategy"],
            )
            for e in picked[:2]
        ]
        == [
            ("rope-care-basics", "popular with `climbers`", "popular-in-segment"),
            ("tent-x2", "popular now", "popular"),
        ]
    )
    assert picked[2]["personalization"]["strategy"] == "recent"
    assert picked[2]["personalization"]["reason"] == "new"


def test_views_without_recommendations_consent_are_not_counted_as_popular(
    client: TestClient, keys: Keys
) -> None:
    for n in range(3):
        _consent(client, keys, f"shy-{n}", ["ANALYTICS"])  # events kept, for analytics only
        _views(client, keys, f"shy-{n}", "kettle-pot-set")
    for n in range(3):
        _consent(client, keys, f"fan-{n}", EVERYTHING)
        _views(client, keys, f"fan-{n}", "tent-x2")
    _popularity_job(client)

    picked = _for_you(client, keys, "stranger", first=2)

    assert picked[0]["id"] == "tent-x2"
    assert picked[0]["personalization"]["reason"] == f"popular now{NO_CONSENT}"
    assert picked[1]["personalization"]["strategy"] == "recent"
    assert picked[1]["id"] != "kettle-pot-set"


def test_withdrawing_consent_switches_to_results_that_say_they_are_not_personal(
    client: TestClient, keys: Keys
) -> None:
    _consent(client, keys, "changes-mind", EVERYTHING)
    _views(client, keys, "changes-mind", "cinder-trail-runner")
    assert _for_you(client, keys, "changes-mind")[0]["personalization"]["reason"] == (
        "because you viewed *Cinder Trail Runner*"
    )

    _consent(client, keys, "changes-mind", ["RECOMMENDATIONS"], granted=False)
    picked = _for_you(client, keys, "changes-mind")
    assert {e["personalization"]["strategy"] for e in picked} <= {"popular", "recent"}
    assert all(e["personalization"]["reason"].endswith(NO_CONSENT) for e in picked), picked

    next_to = _next_to(client, keys, "changes-mind", "cinder-trail-runner", first=2)
    assert (
        next_to[0]["personalization"]["reason"] == f"similar to *Cinder Trail Runner*{NO_CONSENT}"
    )


def test_the_entry_being_viewed_and_what_was_bought_never_come_back(
    client: TestClient, keys: Keys
) -> None:
    _consent(client, keys, "buyer", EVERYTHING)
    _views(client, keys, "buyer", "quickdraw-set-six", "granite-chalk-bag")
    _track(
        client,
        keys,
        "buyer",
        ("purchase", None, {"value": 29.0, "currency": "EUR", "items": ["granite-chalk-bag"]}),
    )

    everything = _next_to(client, keys, "buyer", "quickdraw-set-six", first=50)
    for_you = _for_you(client, keys, "buyer", first=50)

    assert len(everything) == 20  # 22 entries, less the one on screen and the one bought
    assert not {"quickdraw-set-six", "granite-chalk-bag"} & {e["id"] for e in everything}
    assert "granite-chalk-bag" not in {e["id"] for e in for_you}
    assert len({e["id"] for e in for_you}) == len(for_you)  # and nothing twice


def test_content_types_and_exclude_are_respected(client: TestClient, keys: Keys) -> None:
    _consent(client, keys, "reader", EVERYTHING)
    _views(client, keys, "reader", "rope-care-basics", "granite-chalk-bag")

    picked = _for_you(
        client,
        keys,
        "reader",
        first=8,
        types=["article"],
        exclude=["your-first-indoor-climbing-session"],
    )
    next_to = _next_to(client, keys, "reader", "tent-x2", first=8, types=["product"])

    assert len(picked) == 8 and {e["contentType"] for e in picked} == {"article"}
    assert "your-first-indoor-climbing-session" not in {e["id"] for e in picked}
    assert len(next_to) == 8 and {e["contentType"] for e in next_to} == {"product"}


def test_a_recommended_entry_shows_the_viewers_variant_and_says_both_whys(
    client: TestClient, keys: Keys
) -> None:
    rule = {"trait": "interests", "op": "contains", "value": "camping"}
    upsert = 'mutation($r: JSON!) { upsertSegment(key: "campers", name: "C", rule: $r) { key } }'
    data(gql(client, upsert, {"r": rule}, key=keys.secret))
    _consent(client, keys, "camper", EVERYTHING)
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"interests": ["camping"]}},
            key=keys.public,
            anonymous_id="camper",
        )
    )
    _views(client, keys, "camper", "kettle-pot-set")

    picked = {e["id"]: e for e in _for_you(client, keys, "camper", first=3)}

    stove = picked["emberline-canister-stove"]
    assert stove["fields"]["title"] == "Emberline: Real Cooking at Camp"
    assert stove["personalization"] == {
        "baseline": False,
        "variantId": "v-campers",
        "reason": "because you viewed *Kettle Two-Pot Cook Set*; "
        "segment `campers` matched variant `v-campers`",
        "strategy": "similar-to-history",
    }
    asked = gql(
        client,
        '{ entry(id: "emberline-canister-stove") { personalization { strategy } } }',
        key=keys.public,
        anonymous_id="camper",
    )
    assert data(asked)["entry"]["personalization"]["strategy"] is None


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (FOR_YOU, {"first": 0}, "first"),
        (FOR_YOU, {"first": 101}, "first"),
        (FOR_YOU, {"first": 3, "types": ["recipe"]}, "contentTypes"),
        (NEXT_TO, {"id": "tent-x2", "first": -1}, "first"),
        (NEXT_TO, {"id": "tent-x2", "first": 3, "types": ["article", "recipe"]}, "contentTypes"),
        (SIMILAR, {"id": "tent-x2", "first": 1000}, "first"),
    ],
)
def test_bad_arguments_are_errors_naming_the_field(
    client: TestClient, keys: Keys, query: str, variables: dict[str, Any], field: str
) -> None:
    body = gql(client, query, variables, key=keys.public, anonymous_id="a")
    [error] = body["errors"]
    assert error["extensions"]["field"] == field
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith(f"{field}: ")
    if field == "contentTypes":
        assert error["message"] == (
            "contentTypes: unknown content type 'recipe'; known: article, product"
        )


def test_a_page_of_entries_each_with_recommendations_runs_no_more_statements_than_one(
    settings: Settings, keys: Keys
) -> None:
    # With the model check at 0 every request looks for a new champion: once, not per entry.
    uncached = settings.model_copy(
        update={"viewer_cache_ttl": 0, "content_cache_ttl": 0, "recommend_model_check": 0}
    )
    page = """query($n: Int!) { entries(first: $n) { edges { node {
      id recommendations(first: 3) { id personalization { reason } }
      similar(first: 2) { id } } } } }"""
    with TestClient(create_app(uncached), base_url="http://127.0.0.1") as client:
        _consent(client, keys, "browser", EVERYTHING)
        _views(client, keys, "browser", "tent-x2")
        statements: list[str] = []
        engine = client.app.state.services.db.engine.sync_engine  # type: ignore[attr-defined]

        def count(*args: Any) -> None:
            statements.append(args[2])

        data(gql(client, page, {"n": 1}, key=keys.public, anonymous_id="browser"))  # warm up
        event.listen(engine, "before_cursor_execute", count)
        one = data(gql(client, page, {"n": 1}, key=keys.public, anonymous_id="browser"))
        for_one = len(statements)
        statements.clear()
        twenty = data(gql(client, page, {"n": 20}, key=keys.public, anonymous_id="browser"))
        event.remove(engine, "before_cursor_execute", count)

    assert len(one["entries"]["edges"]) == 1 and len(twenty["entries"]["edges"]) == 20
    assert all(len(e["node"]["recommendations"]) == 3 for e in twenty["entries"]["edges"])
    assert len(statements) == for_one, statements


def test_a_new_entry_has_similar_entries_at_once_and_joins_others_after_the_webhook(
    settings: Settings, keys: Keys, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    shop = settings.model_copy(
        update={"content": f"file:{content}", "webhook_secret": "hook", "content_cache_ttl": 3600}
    )
    with TestClient(create_app(shop), base_url="http://127.0.0.1") as client:
        before = gql(
            client,
            SIMILAR,
            {"id": "rope-care-basics", "first": 3},
            key=keys.public,
            anonymous_id="a",
        )
        assert "ice-screw" not in {e["id"] for e in data(before)["entry"]["similar"]}
        (content / "product" / "ice-screw.md").write_text(
            "---\ntitle: Glacier Ice Screw\nsummary: Protection for climbing ice routes, "
            "racked beside your quickdraws and rope.\ntags: [climbing]\n---\n\nA tubular screw.\n"
        )

        new = gql(
            client, SIMILAR, {"id": "ice-screw", "first": 3}, key=keys.public, anonymous_id="a"
        )
        assert all("climbing" in _tags(e) for e in data(new)["entry"]["similar"])

        body = orjson.dumps({"action": "publish", "entryIds": ["ice-screw"]})
        hook = client.post(
            "/v1/webhooks/generic", content=body, headers={"X-Veneer-Signature": sign(body, "hook")}
        )
        assert hook.status_code == 200
        after = gql(
            client,
            SIMILAR,
            {"id": "quickdraw-set-six", "first": 4},
            key=keys.public,
            anonymous_id="a",
        )
        assert "ice-screw" in {e["id"] for e in data(after)["entry"]["similar"]}


def test_global_privacy_control_leaves_first_party_recommendations_as_they_are(
    client: TestClient, keys: Keys
) -> None:
    """GPC opts out of sale and sharing (THIRD_PARTY); a shop's own suggestions are neither."""
    _consent(client, keys, "gpc", EVERYTHING)
    _views(client, keys, "gpc", "emberline-canister-stove")
    body = gql(
        client, FOR_YOU, {"first": 1}, key=keys.public, anonymous_id="gpc", **{"Sec-GPC": "1"}
    )
    [picked] = data(body)["recommendations"]
    assert picked["personalization"]["strategy"] == "similar-to-history"
