"""`eventQuality` and `veneer quality`: is tracking healthy, per source and type?"""

from __future__ import annotations

import orjson
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql
from veneer.cli import app as cli
from veneer.settings import Settings

GRANT = "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) { purpose } }"
QUALITY = """{ eventQuality { source eventType accepted duplicates late noConsent rejected
  nullRates rejectionRate alert } }"""


def _send(client: TestClient, key: str, viewer: str, events: list[object]) -> None:
    response = client.post(
        "/v1/events",
        json=events,
        headers={"Authorization": f"Bearer {key}", "X-Veneer-Anonymous-Id": viewer},
    )
    assert response.status_code == 202


def _by_type(client: TestClient, keys: Keys) -> dict[str, dict[str, object]]:
    rows = data(gql(client, QUALITY, key=keys.secret))["eventQuality"]
    assert {row["source"] for row in rows} == {"public:test browser"}
    return {row["eventType"]: row for row in rows}


def test_quality_counts_outcomes_per_type(client: TestClient, keys: Keys) -> None:
    data(gql(client, GRANT, key=keys.public, anonymous_id="q1"))
    purchase = {"type": "purchase", "properties": {"value": 5, "currency": "EUR"}}
    _send(
        client,
        keys.public,
        "q1",
        [
            {"id": "p1", **purchase, "context": {"url": "https://shop.example/checkout"}},
            {"id": "p1", **purchase},
            {"id": "p2", "type": "purchase", "properties": {"value": 5, "currency": "EURO"}},
            {"id": "p3", **purchase, "timestamp": "2026-01-01T00:00:00Z"},
        ],
    )
    _send(client, keys.public, "q2-no-consent", [{"id": "c1", "type": "click"}])

    rows = _by_type(client, keys)

    bought = rows["purchase"]
    assert (bought["accepted"], bought["duplicates"], bought["late"]) == (2, 1, 1)
    assert bought["rejected"] == {"invalid_value": 1}
    assert bought["rejectionRate"] == 0.25
    assert bought["nullRates"]["context.url"] == pytest.approx(2 / 3, abs=1e-3)
    assert bought["alert"] is False, "too few events for an alert"
    assert rows["click"]["noConsent"] == 1 and rows["click"]["accepted"] == 0


def test_a_high_rejection_rate_raises_the_alert(
    client: TestClient, keys: Keys, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    data(gql(client, GRANT, key=keys.public, anonymous_id="q3"))
    events: list[object] = [
        {"id": f"s{i}", "type": "search", "properties": {"query": "tent"}} for i in range(18)
    ]
    events += [{"id": f"bad{i}", "type": "search"} for i in range(6)]
    _send(client, keys.public, "q3", events)

    row = _by_type(client, keys)["search"]
    assert row["alert"] is True and row["rejected"] == {"missing_field": 6}

    monkeypatch.setenv("VENEER_DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(cli, ["quality", "--json"])
    assert result.exit_code == 1, "an alert makes the command fail, for cron and CI"
    report = orjson.loads(result.output)
    assert report[0]["event_type"] == "search" and report[0]["alert"] is True
    table = CliRunner().invoke(cli, ["quality"])
    assert "ALERT" in table.output


def test_event_quality_needs_a_secret_key(client: TestClient, keys: Keys) -> None:
    body = gql(client, QUALITY, key=keys.public, anonymous_id="q4")
    assert error_messages(body) == ["this field needs a secret key"]
