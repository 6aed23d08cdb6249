"""Paging through `feed` the way a mobile app does, for the feed tests."""

from __future__ import annotations

import itertools
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql, settle
from veneer.jobs.popularity import refresh_popularity

FEED = """query($first: Int, $after: String, $types: [String!]) {
  feed(first: $first, after: $after, contentTypes: $types) {
    edges { cursor node { id contentType title: field(name: "title")
      personalization { baseline variantId reason strategy } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""
CONSENT = """mutation($purposes: [ConsentInput!]!) {
  setConsent(purposes: $purposes) { purpose granted } }"""
TRACK = "mutation($e: [EventInput!]!) { track(events: $e) { accepted rejected { message } } }"
EVERYTHING = ["ANALYTICS", "PERSONALIZATION", "RECOMMENDATIONS"]
_ids = itertools.count()


def feed_body(
    client: TestClient,
    keys: Keys,
    viewer: str | None,
    first: int | None = None,
    after: str | None = None,
    types: list[str] | None = None,
) -> dict[str, Any]:
    variables: dict[str, Any] = {"after": after, "types": types}
    if first is not None:
        variables["first"] = first
    return gql(client, FEED, variables, key=keys.public, anonymous_id=viewer)


def feed_page(
    client: TestClient,
    keys: Keys,
    viewer: str | None,
    first: int | None = None,
    after: str | None = None,
    types: list[str] | None = None,
) -> dict[str, Any]:
    page: dict[str, Any] = data(feed_body(client, keys, viewer, first, after, types))["feed"]
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


def walk(
    client: TestClient,
    keys: Keys,
    viewer: str | None,
    first: int,
    types: list[str] | None = None,
) -> list[str]:
    """Every entry of a feed, page after page, until it says there is no next page."""
    seen: list[str] = []
    after = None
    while True:
        page = feed_page(client, keys, viewer, first, after, types)
        seen += ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        assert len(page["edges"]) == first
        after = page["pageInfo"]["endCursor"]


def consent(client: TestClient, keys: Keys, viewer: str, purposes: list[str]) -> None:
    variables = {"purposes": [{"purpose": p, "granted": True} for p in purposes]}
    data(gql(client, CONSENT, variables, key=keys.public, anonymous_id=viewer))


def track(client: TestClient, keys: Keys, viewer: str, kind: str, *entry_ids: str) -> None:
    paid = {"properties": {"value": 10.0, "currency": "EUR"}} if kind == "purchase" else {}
    batch = [
        {"id": f"feed-{next(_ids)}", "type": kind, "anonymousId": viewer, "entryId": entry_id}
        | paid
        for entry_id in entry_ids
    ]
    result = data(gql(client, TRACK, {"e": batch}, key=keys.public, anonymous_id=viewer))
    assert result["track"]["rejected"] == []
    settle(client)


def popularity_job(client: TestClient) -> None:
    assert client.portal is not None
    client.portal.call(refresh_popularity, client.app.state.services)  # type: ignore[attr-defined]
