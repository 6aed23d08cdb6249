"""`coverage`, as the page reads it: per day, the shares served personalized and as the
baseline, by reason, from every process's counts; and the housekeeping flush that stores
them, which loses nothing when the database fails."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.jobs.conftest import Play
from tests.jobs.recs_shop import NOW, Clock
from veneer.backends import coverage_buffer
from veneer.jobs.coverage import Reason, coverage
from veneer.jobs.housekeeping import flush_counts
from veneer.services import Services
from veneer.settings import Settings

TODAY = NOW.date()
YESTERDAY = TODAY - timedelta(days=1)


def test_coverage_per_day_adds_up_every_process_and_this_ones_latest(
    play: Play, settings: Settings, clock: Clock
) -> None:
    async def body(services: Services) -> None:
        other = Services(settings, clock=clock)  # another app process on the same database
        try:
            other.coverage.add(YESTERDAY, Reason.SEGMENT, 3)
            other.coverage.add(TODAY, Reason.NO_CONSENT, 2)
            await other.coverage.flush(other.db)
        finally:
            await other.aclose()
        services.coverage.add(TODAY, Reason.SEGMENT, 1)  # counted here, not stored yet
        services.coverage.add(TODAY, Reason.RECOMMENDED, 1)
        services.coverage.add(TODAY - timedelta(days=3), Reason.SEGMENT, 9)  # too long ago

        found = await coverage(services, days=3)

        assert [day.day for day in found.days] == [TODAY - timedelta(days=2), YESTERDAY, TODAY]
        before, yesterday, today = found.days
        assert before.total == 0 and before.personalized_share is None
        assert dict(yesterday.counts) == {Reason.SEGMENT: 3}
        assert yesterday.personalized_share == 1.0
        assert dict(today.counts) == {
            Reason.NO_CONSENT: 2,
            Reason.SEGMENT: 1,
            Reason.RECOMMENDED: 1,
        }
        assert (today.personalized_share, today.baseline_share) == (0.5, 0.5)
        assert today.share(Reason.NO_CONSENT) == 0.5
        assert (found.totals.total, found.totals.personalized) == (7, 5)

    play(body)


def test_coverage_asks_for_one_day_at_least(play: Play) -> None:
    async def body(services: Services) -> None:
        with pytest.raises(ValueError, match="days"):
            await coverage(services, days=0)

    play(body)


def test_a_failing_coverage_flush_keeps_its_counts_and_does_not_hold_back_quality(
    play: Play, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail(session: AsyncSession, counts: Mapping[tuple[date, str], int]) -> None:
        raise ConnectionError("the database went away")

    async def body(services: Services) -> None:
        services.coverage.add(TODAY, Reason.HOLDOUT, 2)
        flushed_quality: list[bool] = []

        async def quality_flush(db: object) -> None:
            flushed_quality.append(True)

        monkeypatch.setattr(services.quality, "flush", quality_flush)
        with monkeypatch.context() as patched:
            patched.setattr(coverage_buffer, "add_counts", fail)
            with pytest.raises(ConnectionError):
                await flush_counts(services)
        assert flushed_quality == [True]
        assert services.coverage.pending() == {(TODAY, "holdout", ""): 2}

        await flush_counts(services)  # the database is back

        found = await coverage(services, days=1)
        assert dict(found.days[0].counts) == {Reason.HOLDOUT: 2}

    play(body)
