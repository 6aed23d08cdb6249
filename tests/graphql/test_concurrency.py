"""A browser's parallel first requests must not trip over each other."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import TEST_SECRET, Keys
from veneer.app import create_app
from veneer.identity.tokens import create_viewer_token
from veneer.settings import Settings


def test_parallel_first_requests_after_login_all_succeed(settings: Settings, keys: Keys) -> None:
    app = create_app(settings.model_copy(update={"consent_default": "opt-out"}))
    token = create_viewer_token("fay", TEST_SECRET, anonymous_id="fay-phone")
    headers = {
        "Authorization": f"Bearer {keys.secret}",
        "X-Veneer-Anonymous-Id": "fay-phone",
        "X-Veneer-Viewer-Token": token,
    }

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            identify = [
                client.post(
                    "/graphql",
                    json={"query": f"mutation {{ identify(traits: {{n{i}: {i}}}) {{ id }} }}"},
                    headers=headers,
                )
                for i in range(8)
            ]
            events = [
                client.post(
                    "/v1/events",
                    json=[{"id": f"burst-{i}", "type": "click", "anonymousId": f"new-{i % 2}"}],
                    headers={"Authorization": f"Bearer {keys.secret}"},
                )
                for i in range(8)
            ]
            responses = await asyncio.gather(*identify, *events)
        await app.state.services.aclose()
        return list(responses)

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 8 + [202] * 8
    assert all("errors" not in r.json() for r in responses[:8]), [r.json() for r in responses[:8]]
