"""Personalization coverage through real requests: every entry an answer shows is counted once,
under why it was (or was not) personalized for that viewer, on SQLite and PostgreSQL.

Counts are read as the dashboard reads them (`veneer.jobs.coverage.coverage`), which stores
this process's counts first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.graphql.answer_viewers import Viewer, set_up_shop
from tests.helpers import data, gql, headers
from tests.triggers.shop import CART_REMINDER, Clock, grant, offers, quiet, running, send, upsert
from veneer.jobs.coverage import Reason, coverage
from veneer.services import Services
from veneer.settings import Settings

Shop = tuple[TestClient, dict[str, str]]  # the app, and each profile's device
ENTRY = "query($id: ID!) { entry(id: $id) { fields personalization { reason } } }"
TRACK = "mutation($e: [EventInput!]!) { track(events: $e) { accepted } }"
CONSENT = "mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"
PLACE = "mutation($input: PlacementInput!) { upsertPlacement(input: $input) { key } }"
HERO = {"key": "hero", "strategy": "variant", "entries": ["tent-x2"], "contentTypes": ["product"]}


@pytest.fixture
def shop(client: TestClient, keys: Keys) -> Iterator[Shop]:
    """Segments (one with a holdout), an experiment, and viewers who differ in them."""
    viewers: list[Viewer] = set_up_shop(client, keys)
    yield client, {viewer.profile.name: viewer.device for viewer in viewers}


def _served(client: TestClient) -> dict[Reason, int]:
    """Entries counted so far, by reason (two days: a test may run across midnight)."""
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    found = client.portal.call(coverage, services, 2)
    return {reason: n for reason, n in found.totals.counts.items() if n}


def _counted(client: TestClient, ask: Any) -> dict[Reason, int]:
    """What ``ask()`` added to the counts."""
    before = _served(client)
    ask()
    after = _served(client)
    return {r: n - before.get(r, 0) for r, n in after.items() if n != before.get(r, 0)}


def _entry(client: TestClient, keys: Keys, device: str, entry_id: str) -> dict[str, Any]:
    body = gql(client, ENTRY, {"id": entry_id}, key=keys.public, anonymous_id=device)
    return data(body)["entry"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("profile", "entry_id", "reason", "says"),
    [
        ("nobody", "tent-x2", Reason.NO_CONSENT, "no PERSONALIZATION consent: baseline"),
        ("unconsented-camper", "tent-x2", Reason.NO_CONSENT, "no PERSONALIZATION consent"),
        ("browser", "tent-x2", Reason.NO_MATCH, "viewer is in no segment: baseline"),
        ("runner", "tent-x2", Reason.NO_MATCH, "no live variant targets"),
        ("camper", "tent-x2", Reason.SEGMENT, "segment `campers` matched variant `v-campers`"),
        ("cold", "fogbank-rain-shell", Reason.SEGMENT, "segment `cold-climate` matched"),
        ("cold-held-out", "fogbank-rain-shell", Reason.HOLDOUT, "holdout of segment"),
        ("camper-b", "basecamp-55-pack", Reason.EXPERIMENT, "arm `weekend-copy`"),
        ("camper", "basecamp-55-pack", Reason.CONTROL, "arm `control`: baseline"),
        ("camper", "driftwood-merino-base-layer", Reason.NO_VARIANTS, "has no variants"),
    ],
)
def test_each_entry_served_counts_under_why_the_viewer_sees_it(
    shop: Shop, keys: Keys, profile: str, entry_id: str, reason: Reason, says: str
) -> None:
    client, devices = shop
    shown: list[dict[str, Any]] = []

    counted = _counted(
        client, lambda: shown.append(_entry(client, keys, devices[profile], entry_id))
    )

    assert says in shown[0]["personalization"]["reason"]
    assert counted == {reason: 1}


def _answers(outcome: str) -> float:
    return REGISTRY.get_sample_value("veneer_graphql_answers_total", {"outcome": outcome}) or 0


def test_a_reused_answer_counts_as_often_as_it_is_served(shop: Shop, keys: Keys) -> None:
    client, devices = shop
    reused = _answers("reused")

    counted = _counted(
        client,
        lambda: [_entry(client, keys, devices["camper"], "tent-x2") for _ in range(3)],
    )

    assert _answers("reused") - reused == 2, "the second and third answers were reused"
    assert counted == {Reason.SEGMENT: 3}


def test_an_entry_counts_once_per_answer_however_many_fields_show_it(
    client: TestClient, keys: Keys
) -> None:
    page = """{ entries(contentType: "product", first: 20) { edges { node {
        id fields title: field(name: "title") personalization { baseline } } } }
      again: entry(id: "tent-x2") { fields } }"""
    shown: list[dict[str, Any]] = []

    counted = _counted(
        client, lambda: shown.append(data(gql(client, page, key=keys.public, anonymous_id="a")))
    )

    edges = shown[0]["entries"]["edges"]
    assert len(edges) == 12 and "tent-x2" in [edge["node"]["id"] for edge in edges]
    assert sum(counted.values()) == 12
    assert set(counted) <= {Reason.NO_CONSENT, Reason.NO_VARIANTS}


def _grant(client: TestClient, keys: Keys, device: str, *purposes: str) -> None:
    grants = [{"purpose": p, "granted": True} for p in purposes]
    data(gql(client, CONSENT, {"p": grants}, key=keys.public, anonymous_id=device))


def test_recommendations_count_as_the_viewers_own_or_as_the_popularity_fallback(
    client: TestClient, keys: Keys
) -> None:
    asked = "{ recommendations(first: 3) { id personalization { strategy } } }"
    _grant(client, keys, "climber", "ANALYTICS", "PERSONALIZATION", "RECOMMENDATIONS")
    views = [
        {"id": f"view-{n}", "type": "entry_view", "entryId": entry_id}
        for n, entry_id in enumerate(("quickdraw-set-six", "granite-chalk-bag"))
    ]
    data(gql(client, TRACK, {"e": views}, key=keys.public, anonymous_id="climber"))
    picked: list[dict[str, Any]] = []

    def ask(device: str) -> None:
        picked.append(data(gql(client, asked, key=keys.public, anonymous_id=device)))

    personal = _counted(client, lambda: ask("climber"))
    fallback = _counted(client, lambda: ask("declined"))

    strategies = {e["personalization"]["strategy"] for e in picked[0]["recommendations"]}
    assert strategies == {"similar-to-history"}
    assert personal == {Reason.RECOMMENDED: 3}
    assert fallback == {Reason.FALLBACK: 3}
    # The traffic each strategy served, as Insights charts it.
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    by_strategy = client.portal.call(coverage, services, 2).strategies
    declined = {e["personalization"]["strategy"] for e in picked[1]["recommendations"]}
    assert by_strategy["similar-to-history"] == 3
    assert sum(by_strategy[name] for name in declined) == 3


def test_a_feed_page_counts_the_entries_it_shows(client: TestClient, keys: Keys) -> None:
    asked = "{ feed(first: 5) { edges { node { id personalization { strategy } } } } }"
    shown: list[dict[str, Any]] = []

    counted = _counted(
        client, lambda: shown.append(data(gql(client, asked, key=keys.public, anonymous_id="f")))
    )

    assert len(shown[0]["feed"]["edges"]) == 5
    assert counted == {Reason.FALLBACK: 5}


def test_a_block_counts_the_entry_it_shows_not_the_candidates_it_weighed(
    shop: Shop, keys: Keys
) -> None:
    client, devices = shop
    data(gql(client, PLACE, {"input": HERO}, key=keys.secret))
    block = '{ block(placement: "hero", format: JSON) { entries { id } } }'
    shown: list[Any] = []

    def by_graphql(profile: str) -> None:
        body = gql(client, block, key=keys.public, anonymous_id=devices[profile])
        shown.append(data(body)["block"]["entries"])

    def by_rest(profile: str) -> None:
        response = client.get(
            "/v1/personalize/content",
            params={"placement": "hero"},
            headers=headers(keys.public, devices[profile]),
        )
        assert response.status_code == 200
        shown.append([{"id": e["id"]} for e in response.json()["entries"]])

    assert _counted(client, lambda: by_graphql("camper")) == {Reason.SEGMENT: 1}
    assert _counted(client, lambda: by_rest("camper")) == {Reason.SEGMENT: 1}
    assert _counted(client, lambda: by_rest("nobody")) == {Reason.NO_CONSENT: 1}
    assert shown == [[{"id": "tent-x2"}]] * 3


@pytest.fixture
def triggering(settings: Settings) -> Iterator[tuple[TestClient, Clock]]:
    """An app whose clock the test moves, as the trigger tests run it."""
    clock = Clock()
    for app in running(Services(quiet(settings), clock=clock)):
        yield app, clock


def test_an_offer_a_trigger_made_counts_as_an_offer(
    triggering: tuple[TestClient, Clock], keys: Keys
) -> None:
    app, clock = triggering
    data(upsert(app, keys, CART_REMINDER))
    grant(app, keys, "ann")
    for n in range(2):
        send(app, keys, "ann", [{"id": f"c{n}", "type": "cart_abandoned"}], clock.now)
    shown: list[Any] = []

    counted = _counted(app, lambda: shown.append(offers(app, keys, "ann", "cart")))

    assert [offer["entry"]["id"] for offer in shown[0]] == ["kettle-pot-set"]
    assert counted == {Reason.OFFER: 1}
