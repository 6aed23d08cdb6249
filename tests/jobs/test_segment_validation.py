"""Holdouts in requests, and `veneer segments validate` comparing a segment with its holdout."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql
from veneer.app import create_app
from veneer.cli import app as cli
from veneer.jobs.memberships import backfill
from veneer.segments.holdout import in_holdout
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.models import EventRow, ProfileRow

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
UPSERT = """mutation($key: String!, $rule: JSON!, $holdout: Float!) {
  upsertSegment(key: $key, name: "n", rule: $rule, holdout: $holdout) { key holdout } }"""
TRAIL = {"trait": "interests", "op": "contains", "value": "trail-running"}
ADULTS = {"trait": "age", "op": "gte", "value": 18}


@pytest.fixture
def services(settings: Settings) -> Services:
    quiet = {"segment_decide_interval": 3600, "segment_sweep_interval": 3600}
    return Services(settings.model_copy(update=quiet), clock=lambda: NOW)


@pytest.fixture
def app(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=services), base_url="http://127.0.0.1") as client:
        yield client


def _viewer(held: bool) -> str:
    return next(
        f"v{n}" for n in range(1000) if in_holdout(f"anon:v{n}", "trail-runners", 0.5) == held
    )


def test_held_out_members_see_the_baseline(app: TestClient, keys: Keys) -> None:
    saved = gql(
        app, UPSERT, {"key": "trail-runners", "rule": TRAIL, "holdout": 0.5}, key=keys.secret
    )
    assert data(saved)["upsertSegment"] == {"key": "trail-runners", "holdout": 0.5}
    too_much = gql(app, UPSERT, {"key": "x", "rule": TRAIL, "holdout": 0.9}, key=keys.secret)
    assert error_messages(too_much) == ["holdout: must be between 0 and 0.5, got 0.9"]
    grant = (
        "mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: true}]) { purpose } }"
    )
    identify = 'mutation { identify(traits: {interests: ["trail-running"]}) { id } }'
    shoe = '{ entry(id: "cinder-trail-runner") { personalization { variantId reason } } }'
    seen = {}
    for held in (True, False):
        viewer = _viewer(held)
        data(gql(app, grant, key=keys.public, anonymous_id=viewer))
        data(gql(app, identify, key=keys.public, anonymous_id=viewer))
        seen[held] = data(gql(app, shoe, key=keys.public, anonymous_id=viewer))["entry"]
    assert seen[True]["personalization"] == {
        "variantId": None,
        "reason": "viewer is in the holdout of segment `trail-runners`: baseline",
    }
    assert seen[False]["personalization"]["variantId"] == "v-trail"


async def _shop(services: Services, rates: dict[bool, float]) -> dict[bool, tuple[int, int]]:
    """400 adults; members convert at ``rates[held_out]`` after they entered."""
    async with services.db.session() as session:
        for n in range(400):
            profile_id = f"anon:s{n:03d}"
            session.add(ProfileRow(id=profile_id, anonymous_id=f"s{n:03d}", traits={"age": 30}))
    await backfill(services, ["adults"])
    async with services.db.session() as session:
        held = {True: 0, False: 0}
        bought = {True: 0, False: 0}
        for n in range(400):
            profile_id = f"anon:s{n:03d}"
            side = in_holdout(profile_id, "adults", 0.5)
            held[side] += 1
            if held[side] % 10 < rates[side] * 10:
                bought[side] += 1
                session.add(
                    EventRow(
                        id=f"buy-{n}",
                        viewer_id=profile_id,
                        anonymous_id=f"s{n:03d}",
                        type="purchase",
                        timestamp=NOW + timedelta(hours=2),
                        received_at=NOW,
                        properties={"value": 30, "currency": "EUR"},
                    )
                )
    return {side: (held[side], bought[side]) for side in held}


def _validate(database_url: str, *args: str) -> Any:
    env = {"VENEER_DATABASE_URL": database_url, "VENEER_SECRET": "s" * 32}
    return CliRunner().invoke(cli, ["segments", "validate", *args], env=env)


def test_validate_compares_the_segment_with_its_holdout(
    app: TestClient, keys: Keys, services: Services, settings: Settings
) -> None:
    data(gql(app, UPSERT, {"key": "adults", "rule": ADULTS, "holdout": 0.5}, key=keys.secret))
    data(gql(app, UPSERT, {"key": "plain", "rule": ADULTS, "holdout": 0.0}, key=keys.secret))
    assert app.portal is not None
    made = app.portal.call(_shop, services, {False: 0.4, True: 0.1})

    result = _validate(settings.database_url, "adults", "--metric", "purchase")
    no_holdout = _validate(settings.database_url, "plain")
    unknown = _validate(settings.database_url, "nobody")

    assert result.exit_code == 0, result.output
    lines = " ".join(result.output.replace("│", " ").replace("┃", " ").split())
    assert "personalized" in lines and "holdout" in lines
    for held, label in ((False, "personalized"), (True, "holdout")):
        viewers, bought = made[held]
        assert f"{label} {viewers} {bought} {bought / viewers:.2%}" in lines
    assert "personalization converts better than the holdout" in lines
    assert no_holdout.exit_code == 2 and "has no holdout" in " ".join(no_holdout.output.split())
    assert unknown.exit_code == 2 and "no such segment: nobody" in unknown.output
