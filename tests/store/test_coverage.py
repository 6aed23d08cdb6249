"""Coverage counts on SQLite and PostgreSQL: each process's flush adds to the stored counts."""

from __future__ import annotations

import asyncio
from datetime import date

from veneer.settings import normalize_database_url
from veneer.store import Database
from veneer.store.coverage import add_counts, coverage_since

MONDAY, TUESDAY = date(2026, 11, 30), date(2026, 12, 1)


def test_flushes_from_several_processes_add_up_and_read_from_a_day_on(
    database_url: str,
) -> None:
    async def run() -> list[tuple[date, str, str, int]]:
        db = Database(normalize_database_url(database_url))
        try:
            async with db.session() as session:  # one process
                await add_counts(session, {(MONDAY, "segment", ""): 2, (TUESDAY, "segment", ""): 3})
            async with db.session() as session:  # another, with a count of the same row
                await add_counts(
                    session,
                    {
                        (TUESDAY, "segment", ""): 4,
                        (TUESDAY, "holdout", ""): 1,
                        (TUESDAY, "recommended", "similar-to-history"): 5,
                    },
                )
                await add_counts(session, {})
            async with db.reading() as session:
                return await coverage_since(session, TUESDAY)
        finally:
            await db.dispose()

    assert asyncio.run(run()) == [
        (TUESDAY, "holdout", "", 1),
        (TUESDAY, "recommended", "similar-to-history", 5),
        (TUESDAY, "segment", "", 7),
    ]


def test_counts_past_what_a_32_bit_column_holds_are_kept(database_url: str) -> None:
    """A busy deployment serves billions of entries a day across its processes."""

    async def run() -> list[tuple[date, str, str, int]]:
        db = Database(normalize_database_url(database_url))
        try:
            for _ in range(2):
                async with db.session() as session:
                    await add_counts(session, {(MONDAY, "no_variants", ""): 2**31 - 1})
            async with db.reading() as session:
                return await coverage_since(session, MONDAY)
        finally:
            await db.dispose()

    assert asyncio.run(run()) == [(MONDAY, "no_variants", "", 2**32 - 2)]
