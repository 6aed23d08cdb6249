"""`veneer demo` as a user starts it: a real uvicorn server on 127.0.0.1, queried over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.demo import running_demo


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[str]:
    with running_demo(tmp_path) as demo:
        yield demo.base
    assert (tmp_path / ".veneer" / "veneer.db").exists()


def test_demo_serves_a_personalized_entries_query(demo_server: str) -> None:
    viewer = {"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": "tour-1"}

    def graphql(query: str, variables: dict[str, object] | None = None) -> dict[str, object]:
        response = httpx.post(
            f"{demo_server}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=viewer,
        )
        assert response.status_code == 200
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    graphql(
        "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) { purpose } }"
    )
    graphql('mutation { identify(traits: {interests: ["camping"]}) { id } }')
    result = graphql(
        '{ entries(contentType: "product", first: 20) { edges { node { id fields '
        "personalization { variantId reason } } } } }"
    )

    by_id = {edge["node"]["id"]: edge["node"] for edge in result["entries"]["edges"]}  # type: ignore[index]
    tent = by_id["tent-x2"]
    assert tent["personalization"]["variantId"] == "v-campers"
    assert tent["personalization"]["reason"] == "segment `campers` matched variant `v-campers`"
    assert httpx.get(f"{demo_server}/").status_code == 200
    assert (
        "graphiql"
        in httpx.get(f"{demo_server}/graphql", headers={"Accept": "text/html"}).text.lower()
    )


def test_a_chunked_body_over_the_limit_gets_a_json_413_over_a_real_socket(
    demo_server: str,
) -> None:
    """uvicorn delivers the 413 while the client is still sending; the body is not held."""
    viewer = {
        "Authorization": "Bearer pk_demo",
        "X-Veneer-Anonymous-Id": "tour-2",
        "Content-Type": "application/json",
    }

    def chunks() -> Iterator[bytes]:  # 3.2 MB, no Content-Length: sent chunked
        for _ in range(800):
            yield b" " * 4096

    response = httpx.post(f"{demo_server}/graphql", content=chunks(), headers=viewer, timeout=60)

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {
        "code": "PAYLOAD_TOO_LARGE",
        "field": "body",
    }
    not_json = httpx.post(f"{demo_server}/graphql", content=b"null", headers=viewer)
    assert not_json.status_code == 400
    assert not_json.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
