"""Every API request carries a key; unknown, missing and revoked keys get 401."""

from __future__ import annotations

import asyncio

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from veneer.app import create_app
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.keys import list_keys, revoke_key

QUERY = {"query": "{ entries(first: 1) { edges { node { id } } } }"}


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "Authorization: send `Bearer <api key>`"),
        ("Basic dXNlcjpwdw==", "Authorization: send `Bearer <api key>`"),
        ("Bearer ", "Authorization: send `Bearer <api key>`"),
        ("Bearer pk_not_a_real_key", "Authorization: unknown or revoked API key"),
    ],
)
def test_missing_or_unknown_key_is_401(
    client: TestClient, authorization: str | None, message: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json() == {
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]
    }


def test_both_key_kinds_are_accepted(client: TestClient, keys: Keys) -> None:
    for key in (keys.public, keys.secret):
        response = client.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200
        assert response.json()["data"]["entries"]["edges"]


def test_a_revoked_key_stops_working(settings: Settings, keys: Keys) -> None:
    async def revoke_public() -> None:
        db = Database(settings.database_url)
        async with db.session() as session:
            rows = await list_keys(session)
            public = next(r for r in rows if r.kind == "public")
            assert await revoke_key(session, public.id)
        await db.dispose()

    asyncio.run(revoke_public())
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/graphql", json=QUERY, headers={"Authorization": f"Bearer {keys.public}"}
        )
    assert response.status_code == 401


def test_demo_keys_work_only_in_demo_mode(settings: Settings) -> None:
    headers = {"Authorization": "Bearer pk_demo"}
    with TestClient(create_app(settings)) as client:
        assert client.post("/graphql", json=QUERY, headers=headers).status_code == 401
    demo = settings.model_copy(update={"demo": True})
    with TestClient(create_app(demo)) as client:
        assert client.post("/graphql", json=QUERY, headers=headers).status_code == 200


def test_a_bad_anonymous_id_is_400(client: TestClient, keys: Keys) -> None:
    response = client.post(
        "/graphql",
        json=QUERY,
        headers={"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": "<script>"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("X-Veneer-Anonymous-Id: must be")


def test_graphiql_opens_in_a_browser_without_a_key(client: TestClient) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_a_get_query_still_needs_a_key(client: TestClient) -> None:
    response = client.get(
        "/graphql",
        params={"query": "{ entries { edges { cursor } } }"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 401


def test_the_server_refuses_to_start_without_a_secret(database_url: str) -> None:
    with pytest.raises(RuntimeError, match="VENEER_SECRET is not set"):
        create_app(Settings(database_url=database_url, secret=None, demo=False))


def test_behind_a_root_path_every_api_request_still_needs_a_key(
    settings: Settings, keys: Keys
) -> None:
    """A proxy mounting Veneer under a prefix (``uvicorn --root-path``) keeps the key check.

    The server puts the root path in front of the path; the routes match what follows it.
    """
    with TestClient(create_app(settings), root_path="/veneer") as client:
        assert client.post("/veneer/v1/events", json=[]).status_code == 401
        assert client.get("/veneer/v1/consent").status_code == 401
        assert client.post("/veneer/graphql", json=QUERY).status_code == 401
        authorized = {"Authorization": f"Bearer {keys.public}", "X-Veneer-Anonymous-Id": "a1"}
        response = client.post("/veneer/v1/events", json=[], headers=authorized)
        assert response.status_code == 202
        response = client.post("/veneer/graphql", json=QUERY, headers=authorized)
        assert response.json()["data"]["entries"]["edges"]
        assert client.get("/veneer/v1/openapi.json").status_code == 200
