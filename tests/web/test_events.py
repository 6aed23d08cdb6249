"""``POST /v1/events``: clear 4xx for bad batches, per-event errors, nothing lost or doubled."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql, headers
from veneer.app import create_app
from veneer.events.validation import MAX_DEPTH
from veneer.jobs import ingest
from veneer.jobs.housekeeping import prune_once
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.models import EventRow

GRANT = """mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"""
ACTIVITY = "{ viewer { activity } }"


def grant(client: TestClient, key: str, viewer: str, *purposes: str) -> None:
    variables = {"p": [{"purpose": p, "granted": True} for p in purposes]}
    data(gql(client, GRANT, variables, key=key, anonymous_id=viewer))


def post(client: TestClient, key: str, viewer: str | None, body: Any) -> Any:
    return client.post("/v1/events", json=body, headers=headers(key, viewer))


def activity(client: TestClient, key: str, viewer: str) -> dict[str, Any]:
    result: dict[str, Any] = data(gql(client, ACTIVITY, key=key, anonymous_id=viewer))
    return result["viewer"]["activity"]


def view(event_id: str, entry: str = "tent-x2") -> dict[str, Any]:
    return {"id": event_id, "type": "entry_view", "entryId": entry}


def test_a_valid_batch_is_counted_in_the_profile(client: TestClient, keys: Keys) -> None:
    grant(client, keys.public, "v1", "ANALYTICS")
    batch = [
        view("e1"),
        view("e2"),
        {"id": "e3", "type": "purchase", "properties": {"value": 99.5, "currency": "EUR"}},
        {"id": "e4", "type": "newsletter_open"},
    ]

    response = post(client, keys.public, "v1", batch)

    assert response.status_code == 202
    assert response.json() == {"accepted": 4, "duplicates": 0, "rejected": [], "withoutConsent": 0}
    seen = activity(client, keys.public, "v1")
    assert seen["counts"] == {"entry_view": 2, "purchase": 1, "newsletter_open": 1}
    assert seen["entries"] == {"tent-x2": 2}
    assert seen["purchases"] == {"count": 1, "value": {"EUR": 99.5}}


def test_retries_count_once(client: TestClient, keys: Keys) -> None:
    grant(client, keys.public, "v2", "ANALYTICS")
    first = post(client, keys.public, "v2", [view("r1"), view("r2")])
    retry = post(client, keys.public, "v2", [view("r1"), view("r2"), view("r3"), view("r3")])

    assert first.json()["accepted"] == 2
    assert retry.json() == {"accepted": 1, "duplicates": 3, "rejected": [], "withoutConsent": 0}
    assert activity(client, keys.public, "v2")["counts"] == {"entry_view": 3}


def test_valid_events_are_kept_beside_invalid_ones(client: TestClient, keys: Keys) -> None:
    grant(client, keys.public, "v3", "ANALYTICS")
    batch = [
        view("ok-1"),
        {"id": "bad-1", "type": "purchase", "properties": {"value": 5, "currency": "XYZ"}},
        {"id": "bad-2", "type": "entry_view"},
        "not an event",
        {"id": "bad-3", "type": "page_view", "timestamp": "2026-11-26T10:00:00"},
        view("ok-2"),
    ]

    body = post(client, keys.public, "v3", batch).json()

    assert body["accepted"] == 2
    assert [(e["index"], e["field"]) for e in body["rejected"]] == [
        (1, "properties.currency"),
        (2, "entryId"),
        (3, None),
        (4, "timestamp"),
    ]
    assert "ISO 4217" in body["rejected"][0]["message"]
    assert activity(client, keys.public, "v3")["counts"] == {"entry_view": 2}


def test_a_nul_character_anywhere_in_an_event_is_refused_naming_where(
    client: TestClient, keys: Keys
) -> None:
    """PostgreSQL stores U+0000 in neither text nor jsonb: it was a 500 there (schemathesis)."""
    grant(client, keys.public, "v-nul", "ANALYTICS")
    batch = [
        {"id": "nul\x00id", "type": "signup"},
        {**view("nul-1"), "entryId": "tent\x00x2"},
        {**view("nul-2"), "properties": {"tags": ["ok", "b\x00d"]}},
        {**view("nul-3"), "context": {"ref\x00errer": "x"}},
        view("nul-ok"),
    ]

    response = post(client, keys.public, "v-nul", batch)

    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1
    assert [(e["index"], e["field"]) for e in body["rejected"]] == [
        (0, "id"),
        (1, "entryId"),
        (2, "properties.tags[1]"),
        (3, 'context["ref\\u0000errer"]'),
    ]
    assert {e["message"] for e in body["rejected"]} == {
        "text must not contain the NUL character (\\u0000)",
        "keys must not contain the NUL character (\\u0000)",
    }
    assert activity(client, keys.public, "v-nul")["counts"] == {"entry_view": 1}


def test_deeply_nested_properties_are_refused_not_a_500(client: TestClient, keys: Keys) -> None:
    """Storing them overflowed the JSON encoder's stack: a RecursionError, so a 500."""
    grant(client, keys.public, "v-deep", "ANALYTICS")
    nested = "[" * 1000 + "]" * 1000
    body = f'[{{"id": "deep-1", "type": "signup", "properties": {{"a": {nested}}}}}]'

    response = client.post("/v1/events", content=body, headers=headers(keys.public, "v-deep"))

    assert response.status_code == 202
    assert response.json()["rejected"] == [
        {
            "index": 0,
            "field": "properties",
            "message": f"must not nest objects and arrays more than {MAX_DEPTH} deep",
        }
    ]


def test_without_analytics_consent_events_are_acknowledged_but_not_kept(
    client: TestClient, keys: Keys
) -> None:
    response = post(client, keys.public, "v4", [view("n1"), view("n2")])

    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": [], "withoutConsent": 2}
    assert activity(client, keys.public, "v4") == {}
    grant(client, keys.public, "v4", "ANALYTICS")
    again = post(client, keys.public, "v4", [view("n1")])
    assert again.json()["duplicates"] == 0, "a dropped event left no trace, not even its id"


def test_a_public_key_cannot_send_events_for_another_viewer(client: TestClient, keys: Keys) -> None:
    grant(client, keys.public, "mallory", "ANALYTICS")
    grant(client, keys.public, "victim", "ANALYTICS")
    batch = [
        {**view("m1"), "anonymousId": "victim"},
        {**view("m2"), "userId": "victim-user"},
        view("m3"),
    ]

    body = post(client, keys.public, "mallory", batch).json()

    assert body["accepted"] == 1
    assert [(e["index"], e["field"]) for e in body["rejected"]] == [
        (0, "anonymousId"),
        (1, "userId"),
    ]
    assert activity(client, keys.public, "victim") == {}


def test_a_secret_key_sends_events_for_any_viewer(client: TestClient, keys: Keys) -> None:
    grant(client, keys.public, "shop-a", "ANALYTICS")
    grant(client, keys.public, "shop-b", "ANALYTICS")
    batch = [{**view("s1"), "anonymousId": "shop-a"}, {**view("s2"), "anonymousId": "shop-b"}]
    nameless = [view("s3")]

    assert post(client, keys.secret, None, batch).json()["accepted"] == 2
    assert post(client, keys.secret, None, nameless).json()["rejected"][0]["field"] == "anonymousId"
    assert activity(client, keys.public, "shop-a")["counts"] == {"entry_view": 1}
    assert activity(client, keys.public, "shop-b")["counts"] == {"entry_view": 1}


def test_emails_are_stored_only_as_hashes(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    grant(client, keys.public, "v5", "ANALYTICS")
    signup = {"id": "su1", "type": "signup", "properties": {"email": "  Ada@Example.ORG "}}
    assert post(client, keys.public, "v5", [signup]).json()["accepted"] == 1

    async def stored() -> dict[str, Any]:
        db = Database(settings.database_url)
        async with db.session() as session:
            row = await session.scalar(select(EventRow).where(EventRow.id == "su1"))
        await db.dispose()
        assert row is not None
        return row.properties

    properties = asyncio.run(stored())
    assert "email" not in properties
    assert properties["emailHash"] == hashlib.sha256(b"ada@example.org").hexdigest()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"[{", 400, "body: not valid JSON"),
        (b'{"id": "x"}', 400, "body: must be a JSON array of events"),
        (b"[" + b",".join([b"{}"] * 501) + b"]", 413, "at most 500 per request"),
        (b"[" + b" " * 1_000_001 + b"]", 413, "larger than 1000000 bytes"),
    ],
)
def test_bad_batches_get_a_clear_4xx(
    client: TestClient, keys: Keys, body: bytes, status: int, message: str
) -> None:
    response = client.post(
        "/v1/events",
        content=body,
        headers={**headers(keys.public, "v6"), "Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert message in response.json()["errors"][0]["message"]


def test_both_batch_limits_answer_payload_too_large(client: TestClient, keys: Keys) -> None:
    too_many = b"[" + b",".join([b"{}"] * 501) + b"]"
    too_big = b"[" + b" " * 1_000_001 + b"]"
    for body in (too_many, too_big):
        response = client.post("/v1/events", content=body, headers=headers(keys.public, "v6"))
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"] == {
            "code": "PAYLOAD_TOO_LARGE",
            "field": "body",
        }


def test_events_need_a_key(client: TestClient) -> None:
    assert client.post("/v1/events", json=[view("k1")]).status_code == 401


def test_metrics_count_outcomes(client: TestClient, keys: Keys) -> None:
    grant(client, keys.public, "v7", "ANALYTICS")
    post(client, keys.public, "v7", [view("mx1"), view("mx1"), {"id": "mx2", "type": "search"}])
    text = client.get("/metrics").text
    assert 'veneer_events_total{outcome="stored",type="entry_view"}' in text
    assert 'veneer_events_total{outcome="duplicate",type="entry_view"}' in text
    assert 'veneer_events_rejected_total{reason="missing_field"}' in text


def test_ids_count_as_seen_only_within_the_dedupe_horizon(settings: Settings, keys: Keys) -> None:
    now = [datetime(2026, 11, 26, 12, tzinfo=UTC)]
    services = Services(settings, clock=lambda: now[0])
    with TestClient(create_app(services=services)) as client:
        grant(client, keys.public, "h1", "ANALYTICS")
        event = [{**view("hz-1"), "timestamp": now[0].isoformat()}]
        assert post(client, keys.public, "h1", event).json()["accepted"] == 1

        now[0] += timedelta(days=6)
        assert client.portal is not None
        assert client.portal.call(prune_once, services) == 0
        assert post(client, keys.public, "h1", event).json()["duplicates"] == 1

        now[0] += timedelta(days=2)
        assert client.portal.call(prune_once, services) == 1
        retry = {**event[0], "timestamp": now[0].isoformat()}
        assert post(client, keys.public, "h1", [retry]).json() == {
            "accepted": 0,
            "duplicates": 1,
            "rejected": [],
            "withoutConsent": 0,
        }, "the event row itself still holds the id"


def test_an_integer_past_64_bits_is_refused_rather_than_rounded(
    client: TestClient, keys: Keys
) -> None:
    grant(client, keys.public, "v-big", "ANALYTICS")
    batch = [{**view("big-1"), "properties": {"n": 2**70}}, view("big-2")]

    body = post(client, keys.public, "v-big", batch).json()

    assert body["accepted"] == 1
    assert body["rejected"] == [
        {
            "index": 0,
            "field": "properties.n",
            "message": "integer out of range (must fit in 64 bits)",
        }
    ]


def test_the_acknowledgement_does_not_wait_for_what_is_derived_from_the_events(
    settings: Settings, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 202 is sent while stored segments, offers and scores are still being refreshed;
    they are refreshed all the same, by the same request, once the sender has its answer."""
    refreshed: list[set[str]] = []
    app = create_app(settings)

    async def scenario() -> tuple[list[dict[str, Any]], list[set[str]]]:
        gate = asyncio.Event()
        real = ingest.refresh_derived

        async def held(services: Services, ids: Any, types: Any) -> None:
            await gate.wait()
            await real(services, ids, types)
            refreshed.append(set(ids))

        monkeypatch.setattr(ingest, "refresh_derived", held)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            response = await client.post(
                "/graphql",
                json={
                    "query": GRANT,
                    "variables": {"p": [{"purpose": "ANALYTICS", "granted": True}]},
                },
                headers=headers(keys.public, "v1"),
            )
            assert response.status_code == 200, response.text
        sent: list[dict[str, Any]] = []
        answered = asyncio.Event()
        body = [{"type": "http.request", "body": orjson.dumps([view("e1")]), "more_body": False}]

        async def receive() -> dict[str, Any]:
            if body:
                return body.pop()
            await asyncio.Event().wait()  # the client stays connected
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered.set()

        call = asyncio.create_task(app(_scope(keys.public, "v1"), receive, send))
        answer = asyncio.create_task(answered.wait())
        await asyncio.wait([call, answer], timeout=60, return_when=asyncio.FIRST_COMPLETED)
        assert answered.is_set(), "no answer while what is derived waits"
        refreshed_when_answered = list(refreshed)
        gate.set()
        await call
        return sent, refreshed_when_answered

    sent, refreshed_when_answered = asyncio.run(scenario())

    assert sent[0]["status"] == 202
    assert orjson.loads(sent[1]["body"])["accepted"] == 1
    assert refreshed_when_answered == []
    assert refreshed == [{"anon:v1"}]


def _scope(key: str, anonymous_id: str) -> dict[str, Any]:
    """A raw ASGI request, to see when the response is sent, not only when the app returns."""
    sent_headers = {**headers(key, anonymous_id), "Content-Type": "application/json"}
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/events",
        "raw_path": b"/v1/events",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")]
        + [(k.lower().encode(), v.encode()) for k, v in sent_headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
