"""Propensity training and scoring over a real database, both backends.

The shop is `tests.propensity.shoppers`: keen shoppers (a third) add to cart and came lately,
and buy within the week after the cutoff seven times in ten; the rest once in twenty. They
go on as they were in the week since (keen ones are back lately, adding to cart), so scoring
them now should find the keen ones again. Most granted PERSONALIZATION; some did not, and
must be neither learned from nor scored.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Keys
from tests.program import environment, veneer
from tests.propensity.shoppers import Shopper, shoppers
from veneer.consent import Purpose
from veneer.identity.viewer import Viewer
from veneer.jobs import people, propensity, propensity_scoring
from veneer.jobs.behaviour import behaviour_by_viewer
from veneer.jobs.derived import refresh_derived
from veneer.jobs.memberships import backfill, segments_comparing
from veneer.jobs.propensity import Schedule, TrainRequest, train_propensity
from veneer.jobs.propensity_scoring import rescore_profiles
from veneer.propensity.training import TooFewExamples
from veneer.segments.evaluate import ViewerEvent
from veneer.services import Services
from veneer.settings import Settings
from veneer.store import leases
from veneer.store import propensity as store_propensity
from veneer.store.consent import record_consent
from veneer.store.models import (
    EventRow,
    ProfileRow,
    PropensityModelRow,
    PropensityScoreRow,
    SegmentMemberRow,
)
from veneer.store.segments import undecided_segments, upsert_segment

SHOPPERS = 300
LIKELY = {"propensity": "purchase", "op": "gte", "value": 0.5}


def _refused(shopper: Shopper) -> bool:
    """One in six never allowed personalization."""
    return int(shopper.id[-4:]) % 6 == 0


async def _add(services: Services, viewer_id: str, events: list[ViewerEvent]) -> None:
    async with services.db.session() as session:
        if await session.get(ProfileRow, viewer_id) is None:
            session.add(ProfileRow(id=viewer_id, anonymous_id=viewer_id[5:], traits={}))
        for event in events:
            session.add(
                EventRow(
                    id=f"{viewer_id}-{event.type}-{event.timestamp.timestamp()}",
                    viewer_id=viewer_id,
                    anonymous_id=viewer_id[5:],
                    type=event.type,
                    timestamp=event.timestamp,
                    received_at=event.timestamp,
                    entry_id=event.entry_id,
                    properties={},
                )
            )


async def _consent(services: Services, viewer_id: str, granted: bool) -> None:
    async with services.db.session() as session:
        await record_consent(
            session,
            viewer_id,
            [(Purpose.PERSONALIZATION, granted), (Purpose.ANALYTICS, True)],
            source="test",
            policy_version=None,
            gpc=False,
            now=services.clock(),
        )


async def _open_shop(services: Services, made: list[Shopper]) -> None:
    now = services.clock()
    cutoff = now - timedelta(days=7)
    since = {s.id: s.before for s in shoppers(len(made), now, seed=8)}  # the week after
    for n, shopper in enumerate(made):
        events = shopper.before + [e for e in since[shopper.id] if e.timestamp > cutoff]
        if shopper.bought:
            when = cutoff + timedelta(days=1 + (n % 5))
            events.append(ViewerEvent("purchase", when, "tent-x2"))
        await _add(services, shopper.id, events)
        await _consent(services, shopper.id, not _refused(shopper))


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    made = Services(settings)
    yield made
    asyncio.run(made.aclose())


@pytest.fixture
def shop(services: Services) -> list[Shopper]:
    made = shoppers(SHOPPERS, services.clock() - timedelta(days=7))
    _run(services, _open_shop(services, made))
    return made


async def _scores(services: Services) -> dict[str, float]:
    async with services.db.session() as session:
        rows = await session.execute(select(PropensityScoreRow.viewer_id, PropensityScoreRow.score))
        return {viewer: float(score) for viewer, score in rows}


def _run(services: Services, coroutine: Any) -> Any:
    async def run() -> Any:
        try:
            return await coroutine
        finally:
            await services.db.dispose()

    return asyncio.run(run())


def test_training_finds_the_planted_buyers_and_scores_only_consenting_viewers(
    services: Services, shop: list[Shopper]
) -> None:
    found = _run(services, train_propensity(services, TrainRequest(seed=1)))
    scores = _run(services, _scores(services))

    consenting = [s for s in shop if not _refused(s)]
    assert found["viewers"] == len(consenting), "refusers are not learned from"
    assert found["converted"] == sum(s.bought for s in consenting)
    assert found["heldOut"]["auc"] > 0.75
    assert found["heldOut"]["brier"] < found["heldOut"]["brierOfBaseRate"]
    assert sum(b["viewers"] for b in found["heldOut"]["calibration"]) == found["heldOut"]["viewers"]
    assert (found["version"], found["model"]) == (1, f"{found['kind']}:v1")
    assert len(scores) == found["scored"] > 150  # active in the 30 days before now
    assert set(scores) <= {s.id for s in consenting}, "refusers are not scored"
    keen = [scores[s.id] for s in consenting if s.keen and s.id in scores]
    rest = [scores[s.id] for s in consenting if not s.keen and s.id in scores]
    assert sum(keen) / len(keen) > sum(rest) / len(rest) + 0.3


def test_each_run_is_a_new_version_and_replaces_the_scores(
    services: Services, shop: list[Shopper]
) -> None:
    _run(services, train_propensity(services))
    revoked = next(s for s in shop if not _refused(s))
    _run(services, _consent(services, revoked.id, False))
    again = _run(services, train_propensity(services))

    async def stored() -> tuple[list[int], set[int]]:
        async with services.db.session() as session:
            versions = list(await session.scalars(select(PropensityModelRow.version)))
            used = set(await session.scalars(select(PropensityScoreRow.version)))
            return sorted(versions), used

    assert again["version"] == 2
    assert _run(services, stored()) == ([1, 2], {2})
    assert revoked.id not in _run(services, _scores(services)), "consent withdrawn: unscored"


def test_too_few_buyers_is_refused_with_the_counts(services: Services) -> None:
    made = shoppers(60, services.clock() - timedelta(days=7))
    _run(services, _open_shop(services, made))
    with pytest.raises(TooFewExamples) as refused:
        _run(services, train_propensity(services, TrainRequest(event="signup")))
    assert "0 viewer(s) sent signup within the horizon" in str(refused.value)
    assert _run(services, _scores(services)) == {}


def test_likely_buyers_are_selected_live_and_in_stored_membership(
    services: Services, shop: list[Shopper]
) -> None:
    async def segment() -> None:
        async with services.db.session() as session:
            await upsert_segment(session, "likely-buyers", "Likely buyers", LIKELY)
        await backfill(services)  # before any model: nobody

    async def members() -> set[str]:
        async with services.db.session() as session:
            return set(await session.scalars(select(SegmentMemberRow.profile_id)))

    async def live(ids: list[str]) -> set[str]:
        found = set()
        for viewer_id in ids:
            state = await services.viewer_state(Viewer(anonymous_id=viewer_id[5:]), gpc=False)
            if "likely-buyers" in state.segments:
                found.add(viewer_id)
        return found

    _run(services, segment())
    assert _run(services, members()) == set()
    found = _run(services, train_propensity(services))
    scores = _run(services, _scores(services))
    stored = _run(services, members())

    assert found["segments"] == ["likely-buyers"], "training decides them again"
    assert stored == {v for v, s in scores.items() if s >= 0.5}
    assert _run(services, live([s.id for s in shop])) == stored
    keen = {s.id for s in shop if s.keen and not _refused(s)}
    assert len(stored & keen) > 0.7 * len(stored) and len(stored) > 20


def test_a_viewer_scored_by_their_new_events_joins_the_segment(
    services: Services, shop: list[Shopper]
) -> None:
    now = services.clock()

    async def arrive(viewer_id: str, carts: int, granted: bool) -> None:
        """Keen: back now, adding to cart; idle: one view three weeks ago, sent late."""
        recent = [ViewerEvent("add_to_cart", now - timedelta(hours=h), "x") for h in range(carts)]
        seen = now if carts else now - timedelta(days=21)
        await _add(services, viewer_id, [ViewerEvent("entry_view", seen, "x"), *recent])
        await _consent(services, viewer_id, granted)
        await refresh_derived(services, [viewer_id], {"add_to_cart", "entry_view"})

    async def setup() -> None:
        async with services.db.session() as session:
            await upsert_segment(session, "likely-buyers", "Likely buyers", LIKELY)
        await train_propensity(services)

    async def stored(viewer_id: str) -> tuple[float | None, bool]:
        async with services.db.session() as session:
            score = await session.get(PropensityScoreRow, (viewer_id, "purchase"))
            member = await session.get(SegmentMemberRow, (viewer_id, "likely-buyers"))
            return (None if score is None else score.score), member is not None

    _run(services, setup())
    _run(services, arrive("anon:new-keen", 6, True))
    _run(services, arrive("anon:new-idle", 0, True))
    _run(services, arrive("anon:new-private", 6, False))

    keen_score, keen_member = _run(services, stored("anon:new-keen"))
    idle_score, idle_member = _run(services, stored("anon:new-idle"))
    assert keen_score is not None and idle_score is not None and keen_score > idle_score
    assert keen_member and not idle_member
    assert _run(services, stored("anon:new-private")) == (None, False)


def test_export_lists_and_erasure_removes_a_persons_scores(
    services: Services, shop: list[Shopper]
) -> None:
    _run(services, train_propensity(services))
    person = next(s for s in shop if not _refused(s))
    viewer = Viewer(anonymous_id=person.id[5:])

    exported = _run(services, people.export(services, viewer))
    removed = _run(services, people.forget(services, viewer, requested_by="test"))

    (row,) = exported["propensityScores"]
    assert (row["profileId"], row["event"], row["modelVersion"]) == (person.id, "purchase", 1)
    assert 0 <= row["score"] <= 1
    assert removed["propensityScores"] == 1
    assert person.id not in _run(services, _scores(services))


def test_housekeeping_trains_when_due_and_waits_after_too_few(
    services: Services, shop: list[Shopper]
) -> None:
    schedule = Schedule()
    first = _run(services, schedule.run_due(services))
    fresh = _run(services, schedule.run_due(services))
    signups = services.settings.model_copy(update={"propensity_events": "purchase,signup"})
    services.settings = signups
    refused = _run(services, schedule.run_due(services))
    assert [r["version"] for r in first] == [1]
    assert fresh == [], "the model is younger than the interval"
    assert refused == [] and set(schedule.refused) == {"signup"}


def test_the_command_prints_the_report(database_url: str, shop: list[Shopper]) -> None:
    env = environment(Settings(database_url=database_url, secret="s" * 32))
    table = veneer(["propensity", "train"], env)
    as_json = veneer(["propensity", "train", "--json"], env)
    refused = veneer(["propensity", "train", "--event", "signup"], env)
    bad = veneer(["propensity", "train", "--horizon", "7 days"], env)

    assert table.exit_code == 0, table.output
    assert "held-out AUC" in table.output and "calibration on 75 held-out" in table.output
    report = json.loads(as_json.stdout)
    assert report["version"] == 2 and report["viewers"] == 250 and report["scored"] > 150
    assert refused.exit_code == 2 and "0 viewer(s) sent signup" in refused.output
    assert bad.exit_code == 2 and "horizon: window must look like 30m, 48h or 7d" in bad.output


def test_the_command_waits_its_turn_while_housekeeping_trains(
    database_url: str, shop: list[Shopper]
) -> None:
    settings = Settings(database_url=database_url, secret="s" * 32)

    async def take() -> None:
        services = Services(settings)
        try:
            async with services.db.session() as session:
                hour = timedelta(hours=1)
                await leases.take(session, "propensity", "housekeeping", services.clock(), hour)
        finally:
            await services.aclose()

    asyncio.run(take())  # by the server beside it, which holds it for up to an hour
    busy = veneer(["propensity", "train"], environment(settings))
    assert busy.exit_code == 2 and "another process is training propensity" in busy.output


def test_viewers_read_their_own_propensity_only_with_personalization(
    services: Services, shop: list[Shopper], keys: Keys
) -> None:
    from starlette.testclient import TestClient

    from tests.helpers import data, gql
    from veneer.app import create_app

    _run(services, train_propensity(services))
    allowed = next(s for s in shop if not _refused(s))
    refuser = next(s for s in shop if _refused(s))
    query = '{ viewer { id propensity(event: "purchase") { event score model updatedAt } } }'
    other = '{ viewer { propensity(event: "signup") { score } } }'  # neither set nor trained
    with TestClient(create_app(services.settings), base_url="http://127.0.0.1") as client:
        mine = data(gql(client, query, key=keys.public, anonymous_id=allowed.id[5:]))
        theirs = data(gql(client, query, key=keys.public, anonymous_id=refuser.id[5:]))
        no_model = gql(client, other, key=keys.public, anonymous_id=allowed.id[5:])

    score = mine["viewer"]["propensity"]
    assert mine["viewer"]["id"] == allowed.id
    assert score["event"] == "purchase" and 0 <= score["score"] <= 1
    assert score["model"].endswith(":v1") and datetime.fromisoformat(score["updatedAt"]) <= (
        datetime.now(UTC)
    )
    assert theirs["viewer"]["propensity"] is None, "no PERSONALIZATION: null"
    assert no_model["errors"][0]["message"] == (
        "event: no propensity model for 'signup'; known: purchase"
    )


def test_a_failure_midway_through_storing_scores_leaves_the_last_run_serving(
    services: Services, shop: list[Shopper], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def segment() -> None:
        async with services.db.session() as session:
            await upsert_segment(session, "likely-buyers", "Likely buyers", LIKELY)
        await backfill(services)

    async def stored() -> tuple[list[int], dict[str, float], list[str], set[str]]:
        async with services.db.session() as session:
            versions = sorted(await session.scalars(select(PropensityModelRow.version)))
            members = set(await session.scalars(select(SegmentMemberRow.profile_id)))
            undecided = await undecided_segments(session)
        return versions, await _scores(services), undecided, members

    _run(services, segment())
    _run(services, train_propensity(services))
    before = _run(services, stored())
    real_insert = store_propensity.insert
    inserts = 0

    def failing_insert(table: Any) -> Any:
        nonlocal inserts
        inserts += 1
        if inserts == 3:
            raise RuntimeError("the database went away")
        return real_insert(table)

    monkeypatch.setattr(store_propensity, "CHUNK", 40)  # several chunks: fail after two
    monkeypatch.setattr(store_propensity, "insert", failing_insert)
    with pytest.raises(RuntimeError, match="went away"):
        _run(services, train_propensity(services, TrainRequest(seed=5)))

    assert inserts == 3, "two chunks of scores were written before it failed"
    assert before[0] == [1] and len(before[1]) > 150 and before[2] == []
    assert _run(services, stored()) == before, "no new model, the old scores, nothing marked"


def test_a_failure_while_rescoring_leaves_the_viewers_scores_as_they_were(
    services: Services, shop: list[Shopper], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(services, train_propensity(services))
    before = _run(services, _scores(services))
    viewer = "anon:" + "new-keen"
    now = services.clock()
    carts = [ViewerEvent("add_to_cart", now - timedelta(hours=h), "x") for h in range(6)]
    refuser = next(s.id for s in shop if _refused(s))

    async def no_deletes(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("the database went away")

    async def arrive() -> None:
        await _add(services, viewer, carts)
        await _consent(services, viewer, True)
        await rescore_profiles(services, [viewer, refuser])

    monkeypatch.setattr(propensity_scoring, "delete_scores", no_deletes)
    with pytest.raises(RuntimeError, match="went away"):
        _run(services, arrive())
    assert _run(services, _scores(services)) == before, "the new score was rolled back too"


def test_served_scores_are_the_latest_runs_at_once(services: Services, shop: list[Shopper]) -> None:
    person = next(s for s in shop if not _refused(s))
    viewer = Viewer(anonymous_id=person.id[5:])

    async def model() -> str | None:
        state = await services.viewer_state(viewer, gpc=False)
        score = state.propensity.get("purchase")
        return None if score is None else score.model

    _run(services, train_propensity(services))
    first = _run(services, model())  # now cached with the viewer's record
    again = _run(services, train_propensity(services))
    assert first is not None and first.endswith(":v1")
    assert _run(services, model()) == again["model"], "training dropped the cached record"


def test_a_withdrawal_or_erasure_while_training_keeps_their_scores_out(
    services: Services, shop: list[Shopper], monkeypatch: pytest.MonkeyPatch
) -> None:
    withdrawing, erased = [s.id for s in shop if not _refused(s)][:2]
    real = segments_comparing

    async def meanwhile(services: Services, event: str) -> Any:
        # After consent was read and everyone was scored, before the scores are stored.
        await _consent(services, withdrawing, False)
        await people.forget(services, Viewer(anonymous_id=erased[5:]), requested_by="test")
        return await real(services, event)

    monkeypatch.setattr(propensity, "segments_comparing", meanwhile)
    found = _run(services, train_propensity(services))

    scores = _run(services, _scores(services))
    assert withdrawing not in scores and erased not in scores
    assert found["scored"] == len(scores) > 150


def test_a_withdrawal_while_rescoring_keeps_the_viewers_score_out(
    services: Services, shop: list[Shopper], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(services, train_propensity(services))
    viewer = "anon:new-keen"
    now = services.clock()
    carts = [ViewerEvent("add_to_cart", now - timedelta(hours=h), "x") for h in range(6)]
    real = behaviour_by_viewer

    async def measured_then_withdrawn(*args: Any) -> Any:
        rows = await real(*args)
        await _consent(services, viewer, False)  # after consent was read, before storing
        return rows

    async def arrive() -> dict[str, dict[str, float]]:
        await _add(services, viewer, carts)
        await _consent(services, viewer, True)
        return await rescore_profiles(services, [viewer])

    monkeypatch.setattr(propensity_scoring, "behaviour_by_viewer", measured_then_withdrawn)
    found = _run(services, arrive())

    assert found == {"purchase": {}}
    assert viewer not in _run(services, _scores(services))
