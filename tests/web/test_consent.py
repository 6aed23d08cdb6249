"""``GET/POST /v1/consent``: what the preference center refuses, on both databases."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import headers

GRANT = [{"purpose": "ANALYTICS", "granted": True}]


@pytest.mark.parametrize("field", ["source", "policyVersion"])
def test_a_nul_character_in_a_label_is_a_400_naming_the_field(
    client: TestClient, keys: Keys, field: str
) -> None:
    """PostgreSQL keeps no U+0000 in text: recording it was a 500 there."""
    body = {"purposes": GRANT, field: "banner\x00v2"}

    response = client.post("/v1/consent", json=body, headers=headers(keys.public, "c-nul"))

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "message": f"{field}: must not contain the NUL character (U+0000)",
            "extensions": {"code": "BAD_REQUEST", "field": field},
        }
    ]
    current = client.get("/v1/consent", headers=headers(keys.public, "c-nul")).json()
    assert {p["purpose"]: p["granted"] for p in current["purposes"]}["ANALYTICS"] is False
