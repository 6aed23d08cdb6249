"""Coverage counts kept in memory until they are stored: a failed flush loses none and
doubles none, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.backends import coverage_buffer
from veneer.backends.coverage_buffer import CoverageBuffer
from veneer.settings import normalize_database_url
from veneer.store import Database
from veneer.store.coverage import add_counts, coverage_since
from veneer.variants.coverage import Reason

DAY = date(2026, 12, 1)


async def _stored(db: Database) -> list[tuple[date, str, str, int]]:
    async with db.reading() as session:
        return await coverage_since(session, DAY)


def test_a_failed_flush_keeps_its_counts_for_the_next_and_stores_them_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = CoverageBuffer()

    async def written_then_failed(
        session: AsyncSession, counts: Mapping[tuple[date, str, str], int]
    ) -> None:
        await add_counts(session, counts)  # written in the transaction, which then rolls back
        buffer.add(DAY, Reason.SEGMENT)  # a request served while the flush was under way
        raise ConnectionError("the database went away")

    async def run() -> tuple[list[tuple[date, str, str, int]], list[tuple[date, str, str, int]]]:
        db = Database(normalize_database_url(database_url))
        try:
            buffer.add(DAY, Reason.SEGMENT, 2)
            buffer.add(DAY, Reason.NO_CONSENT)
            with monkeypatch.context() as patched:
                patched.setattr(coverage_buffer, "add_counts", written_then_failed)
                with pytest.raises(ConnectionError):
                    await buffer.flush(db)
            after_failure = await _stored(db)
            assert buffer.pending() == {(DAY, "segment", ""): 3, (DAY, "no_consent", ""): 1}
            await buffer.flush(db)
            await buffer.flush(db)  # nothing left: nothing added again
            return after_failure, await _stored(db)
        finally:
            await db.dispose()

    after_failure, stored = asyncio.run(run())
    assert after_failure == []
    assert stored == [(DAY, "no_consent", "", 1), (DAY, "segment", "", 3)]
    assert buffer.pending() == {}
