"""Retention: old events go, and people unseen for long are erased as an erasure would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from tests.jobs.conftest import Play
from tests.jobs.recs_shop import Clock, consent, send, user, view
from veneer.consent import Purpose
from veneer.consent.decisions import Decisions
from veneer.events.model import Event
from veneer.identity.viewer import Viewer
from veneer.jobs import retention
from veneer.jobs.people import link_identity
from veneer.jobs.retention import RetentionResult, apply_retention
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.events import save_new_events
from veneer.store.identity import linked_users
from veneer.store.models import ErasureRow, EventRow
from veneer.store.people import export_person

ANALYTICS = Decisions(((Purpose.ANALYTICS, True),), "test", None)


async def _events(services: Services) -> list[str]:
    async with services.db.reading() as session:
        return sorted(await session.scalars(select(EventRow.id)))


async def _held(services: Services, name: str) -> dict[str, Any]:
    """What an export finds about the user: nothing left is an empty list everywhere."""
    async with services.db.reading() as session:
        document = await export_person(session, name, None)
    return {k: v for k, v in document.items() if isinstance(v, list) and v}


async def _erasures(services: Services) -> list[tuple[str, dict[str, int]]]:
    async with services.db.reading() as session:
        rows = await session.scalars(select(ErasureRow).order_by(ErasureRow.id))
        return [(row.requested_by, dict(row.removed)) for row in rows]


def test_events_older_than_the_retention_age_are_deleted(play: Play, clock: Clock) -> None:
    async def body(services: Services) -> None:
        await consent(services, "ann")
        await send(services, [view("ann", "tent", clock.now)])
        clock.now += timedelta(days=200)
        await send(services, [view("ann", "stove", clock.now)])
        before = await _events(services)
        clock.now += timedelta(days=200)  # the first is 400 days old, the second 200
        assert await apply_retention(services) == RetentionResult(events=1, people=0)
        assert await _events(services) == before[1:]
        assert await apply_retention(services) == RetentionResult(events=0, people=0)

    play(body)


def test_people_unseen_for_long_are_erased_whole_and_the_others_kept(
    play: Play, clock: Clock
) -> None:
    async def body(services: Services) -> None:
        for name in ("gone", "back"):
            await consent(services, name)
            await send(services, [view(name, "tent", clock.now)])
        clock.now += timedelta(days=700)
        await send(services, [view("back", "stove", clock.now)])
        clock.now += timedelta(days=31)  # "gone" unseen for 731 days, "back" for 31
        assert await apply_retention(services) == RetentionResult(events=2, people=1)
        assert await _held(services, "gone") == {}
        kept = await _held(services, "back")
        assert [p["id"] for p in kept["profiles"]] == ["user:back"]
        assert len(kept["events"]) == 1 and kept["consentHistory"]
        ((by, removed),) = await _erasures(services)
        assert by == "retention"
        assert removed["profiles"] == 1 and removed["consentRecords"] == 2  # two purposes
        state = await services.viewer_state(user("gone"), gpc=False)
        assert state.traits == {} and state.activity == {}

    play(body)


async def _straggler(services: Services, device: str) -> None:
    """An event of a device stored under the device, though it is linked to an account: one
    that was in the stream while the device was being linked."""
    now = services.clock()
    event = Event(f"late-{device}", "click", now, now, device, None, None, {}, {})
    async with services.db.session() as session:
        await save_new_events(session, [event], now)


async def _owner(services: Services, device: str) -> str | None:
    async with services.db.reading() as session:
        return (await linked_users(session, [device])).get(device)


def test_a_person_seen_on_another_of_their_profiles_is_kept(play: Play, clock: Clock) -> None:
    """An account unseen for long whose device was seen lately is kept, with the device."""

    async def body(services: Services) -> None:
        await consent(services, "ida")
        await send(services, [view("ida", "tent", clock.now)])
        await link_identity(services, Viewer("ida-phone", "ida", device_is_users=True))
        clock.now += timedelta(days=731)
        await _straggler(services, "ida-phone")
        # her first event is past the events' age; she is not past the people's
        assert await apply_retention(services) == RetentionResult(events=1, people=0)
        profiles = (await _held(services, "ida"))["profiles"]
        assert sorted(p["id"] for p in profiles) == ["anon:ida-phone", "user:ida"]

    play(body)


def test_a_device_unseen_for_long_stays_while_its_account_is_seen(play: Play, clock: Clock) -> None:
    """Erasing the device alone would cut it from the account it is linked to."""

    async def body(services: Services) -> None:
        await consent(services, "joe")
        await link_identity(services, Viewer("joe-tablet", "joe", device_is_users=True))
        await _straggler(services, "joe-tablet")
        clock.now += timedelta(days=731)
        await send(services, [view("joe", "tent", clock.now)])
        assert await apply_retention(services) == RetentionResult(events=1, people=0)
        assert await _owner(services, "joe-tablet") == "joe"

    play(body)


def test_a_round_that_fails_half_way_leaves_whole_people_and_the_next_goes_on(
    play: Play, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(services: Services) -> None:
        for name in ("amy", "bob"):
            await consent(services, name)
            await send(services, [view(name, "tent", clock.now)])
            clock.now += timedelta(minutes=1)  # amy is the longer unseen, erased first
        clock.now += timedelta(days=800)
        erase = retention.forget
        calls: list[str] = []

        async def fails_on_bob(services: Services, viewer: Viewer, requested_by: str) -> Any:
            calls.append(str(viewer.user_id))
            if viewer.user_id == "bob":
                raise RuntimeError("injected: connection lost")
            return await erase(services, viewer, requested_by)

        monkeypatch.setattr(retention, "forget", fails_on_bob)
        with pytest.raises(RuntimeError, match="injected"):
            await apply_retention(services)
        assert calls == ["amy", "bob"]
        assert await _held(services, "amy") == {}
        assert (await _held(services, "bob"))["profiles"]
        monkeypatch.setattr(retention, "forget", erase)
        assert await apply_retention(services) == RetentionResult(events=0, people=1)
        assert await _held(services, "bob") == {}

    play(body)


def test_events_cannot_be_kept_shorter_than_rules_count_back(settings: Settings) -> None:
    with pytest.raises(ValidationError, match="VENEER_EVENT_RETENTION_DAYS \\(30\\) must be"):
        Settings(database_url=settings.database_url, event_retention_days=30)
