"""Who gets into Insights: a secret key signs in; a public key, a forged or stale cookie, a
revoked key and a form from another site do not."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET, Keys
from tests.web.insights.signing import form_token, sign_in
from veneer.insights.session import COOKIE, issue
from veneer.services import Services
from veneer.store.keys import list_keys, revoke_key


@pytest.fixture
def database_url(sqlite_template, tmp_path):  # type: ignore[no-untyped-def]
    """Access rules are the same on either database: SQLite is enough for these."""
    import shutil

    target = tmp_path / "veneer.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


def test_pages_send_a_stranger_to_sign_in_and_back(client: TestClient, keys: Keys) -> None:
    answer = client.get("/insights/segments?days=7", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/insights/sign-in?next=%2Finsights%2Fsegments%3Fdays%3D7"
    form = client.get(answer.headers["location"])
    signed = client.post(
        "/insights/sign-in",
        data={"key": keys.secret, "csrf": form_token(form.text), "next": "/insights/segments"},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/insights/segments"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "Path=/insights", "SameSite=strict", "Max-Age=28800"):
        assert attribute.lower() in cookie.lower()
    assert keys.secret not in cookie  # the browser keeps a session, never the key
    assert client.get("/insights/segments").status_code == 200


def test_a_public_key_never_opens_insights(client: TestClient, keys: Keys) -> None:
    form = client.get("/insights/sign-in")
    answer = client.post(
        "/insights/sign-in", data={"key": keys.public, "csrf": form_token(form.text)}
    )
    assert answer.status_code == 403
    assert "a public key cannot open Insights" in answer.text
    assert f"{COOKIE}=" not in answer.headers.get("set-cookie", "")
    assert client.get("/insights", follow_redirects=False).status_code == 303


def test_a_wrong_key_is_refused_by_name(client: TestClient) -> None:
    form = client.get("/insights/sign-in")
    answer = client.post(
        "/insights/sign-in", data={"key": "sk_nope", "csrf": form_token(form.text)}
    )
    assert answer.status_code == 401
    assert "key: unknown or revoked API key" in answer.text


def test_sign_in_without_its_form_token_is_refused(client: TestClient, keys: Keys) -> None:
    """Login CSRF: another site cannot sign a browser in under its own key."""
    client.get("/insights/sign-in")
    answer = client.post("/insights/sign-in", data={"key": keys.secret, "csrf": "guessed"})
    assert answer.status_code == 403
    assert client.get("/insights", follow_redirects=False).status_code == 303


def test_next_never_leads_off_site(client: TestClient, keys: Keys) -> None:
    form = client.get("/insights/sign-in")
    answer = client.post(
        "/insights/sign-in",
        data={"key": keys.secret, "csrf": form_token(form.text), "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/insights"


def test_forged_and_expired_cookies_are_refused(client: TestClient, keys: Keys) -> None:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    now = services.clock()
    key_id = _key_id(services, "test backend")
    client.cookies.set(COOKIE, issue(key_id, "x", "another-secret" * 4, now), path="/insights")
    assert client.get("/insights", follow_redirects=False).status_code == 303
    stale = issue(key_id, "x", TEST_SECRET, now - timedelta(hours=9))
    client.cookies.set(COOKIE, stale, path="/insights")
    assert client.get("/insights", follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, issue(key_id, "x", TEST_SECRET, now), path="/insights")
    assert client.get("/insights", follow_redirects=False).status_code == 200


def test_revoking_the_key_signs_its_sessions_out(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.secret)
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    key_id = _key_id(services, "test backend")

    async def revoke() -> None:
        async with services.db.session() as session:
            assert await revoke_key(session, int(key_id))

    asyncio.run(revoke())
    assert client.get("/insights", follow_redirects=False).status_code == 303


def test_actions_need_the_session_token_and_the_same_origin(client: TestClient, keys: Keys) -> None:
    csrf = sign_in(client, keys.secret)
    forged = client.post("/insights/sign-out", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert "csrf" in forged.text
    elsewhere = client.post(
        "/insights/sign-out", data={"csrf": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 403
    assert "Origin" in elsewhere.text
    assert client.get("/insights").status_code == 200  # still signed in
    out = client.post(
        "/insights/sign-out",
        data={"csrf": csrf},
        headers={"Origin": "http://127.0.0.1"},
        follow_redirects=False,
    )
    assert out.status_code == 303
    assert client.get("/insights", follow_redirects=False).status_code == 303


def test_pages_forbid_framing_and_scripts(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.secret)
    page = client.get("/insights")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none'
    assert "<script" not in page.text


def test_bad_query_values_are_named(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.secret)
    answer = client.get("/insights/segments?days=0")
    assert answer.status_code == 400
    assert "days" in answer.text and "from 1 to 90" in answer.text
    answer = client.get("/insights/triggers?metric=<script>")
    assert answer.status_code == 400
    assert "<script>" not in answer.text


def _key_id(services: Services, name: str) -> str:
    async def find() -> str:
        async with services.db.reading() as session:
            return next(str(row.id) for row in await list_keys(session) if row.name == name)

    return asyncio.run(find())
