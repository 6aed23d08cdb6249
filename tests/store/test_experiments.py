"""Exposures and outcomes on SQLite and PostgreSQL: what each viewer did after (and before)
their first exposure, whatever the events' properties hold."""

from __future__ import annotations

import asyncio
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from veneer.experiments.definition import MetricSpec
from veneer.settings import normalize_database_url
from veneer.store import Database
from veneer.store import experiments as store
from veneer.store.models import EventRow

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _event(n: int, viewer: str, kind: str, at: datetime, **properties: Any) -> EventRow:
    return EventRow(
        id=f"e{n}", viewer_id=viewer, type=kind, timestamp=at, received_at=at,
        properties=properties, context={},
    )  # fmt: skip


def _totals(database_url: str, events: list[EventRow], metric: str) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        db = Database(normalize_database_url(database_url))
        try:
            async with db.session() as session:
                await store.record_exposures(session, "anon:a", {"x": "control"}, NOW)
                await store.record_exposures(session, "anon:a", {"x": "b"}, NOW + timedelta(1))
                await store.record_exposures(session, "anon:b", {"x": "b"}, NOW)
                session.add_all(events)
            async with db.reading() as session:
                spec = MetricSpec.parse(metric)
                totals = await store.arm_totals(session, "x", spec)
                rows = await store.outcomes(session, "x", spec)
            return {"totals": {t.arm: t for t in totals}, "rows": rows}
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_conversions_before_exposure_are_the_covariate_not_the_outcome(
    database_url: str,
) -> None:
    events = [
        _event(1, "anon:a", "purchase", NOW - timedelta(days=2), value=10),
        _event(2, "anon:b", "purchase", NOW + timedelta(hours=1), value=10),
        _event(3, "anon:b", "purchase", NOW + timedelta(hours=2), value=10),
        _event(4, "anon:b", "signup", NOW + timedelta(hours=2)),
    ]
    found = _totals(database_url, events, "purchase")
    control, b = found["totals"]["control"], found["totals"]["b"]
    assert (control.users, control.conversions, control.total, control.covariate_sum) == (
        1,
        0,
        0.0,
        1.0,
    )  # fmt: skip  (the first exposure stands: a later one to another arm changes nothing)
    assert (b.users, b.conversions, b.total, b.squares, b.covariate_sum) == (1, 1, 1.0, 1.0, 0.0)
    (converted,) = [r for r in found["rows"] if r.arm == "b"]
    assert converted.converted_at == NOW + timedelta(hours=1)


@pytest.mark.parametrize("odd", ["N/A", True, {"amount": 5}, 1e100, None])
def test_a_value_that_is_not_a_plausible_number_counts_nothing(database_url: str, odd: Any) -> None:
    """One event with a text or absurd value (anyone with a public key can send one) must
    not fail the results or swamp them."""
    events = [
        _event(1, "anon:b", "donation", NOW + timedelta(hours=1), amount=odd),
        _event(2, "anon:b", "donation", NOW + timedelta(hours=2), amount=12.5),
        _event(3, "anon:a", "donation", NOW - timedelta(hours=2), amount=2),
    ]
    found = _totals(database_url, events, "donation.amount")
    b, control = found["totals"]["b"], found["totals"]["control"]
    assert (b.total, b.squares, b.conversions) == (12.5, 156.25, 1)
    assert (control.total, control.covariate_sum, control.cross_sum) == (0.0, 2.0, 0.0)


@pytest.mark.parametrize("metric", ["purchase", "purchase.value"])
def test_totals_summed_from_outcomes_are_the_databases_totals(
    database_url: str, metric: str
) -> None:
    """Insights reads the outcomes once and sums the totals itself: they must agree."""
    events = [
        _event(1, "anon:a", "purchase", NOW - timedelta(days=2), value=10),
        _event(2, "anon:a", "purchase", NOW + timedelta(hours=1), value=2.5),
        _event(3, "anon:b", "purchase", NOW + timedelta(hours=1), value=10),
        _event(4, "anon:b", "purchase", NOW + timedelta(hours=2), value="not a number"),
        _event(5, "anon:b", "purchase", NOW - timedelta(hours=2), value=4),
    ]
    found = _totals(database_url, events, metric)
    summed = {t.arm: t for t in store.totals_of(found["rows"])}
    assert summed.keys() == found["totals"].keys()
    for arm, expected in found["totals"].items():
        assert astuple(summed[arm]) == pytest.approx(astuple(expected)), arm
