"""The one-hop SQLite cursor behaves as a DBAPI cursor does, however long the result.

Statements run with their first rows in one call; these tests cover what lies past that
fast case: results longer than the first batch, streaming, row counts, errors mid-work and
a stream abandoned half-read, each followed by a statement that must still work.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from veneer.store import Database, sqlite_driver
from veneer.store.sqlite_driver import FIRST_ROWS

MANY = FIRST_ROWS * 2 + 7  # more than two batches, not a multiple of one


def _run(work: Coroutine[Any, Any, None]) -> None:
    asyncio.run(work)


async def _filled(tmp_path: Path) -> Database:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with db.session() as session:
        await session.execute(text("CREATE TABLE numbers (n INTEGER PRIMARY KEY, label TEXT)"))
        await session.execute(
            text("INSERT INTO numbers (n, label) VALUES (:n, :label)"),
            [{"n": n, "label": f"#{n}"} for n in range(MANY)],
        )
    return db


def test_a_result_longer_than_the_first_batch_comes_back_whole_and_in_order(
    tmp_path: Path,
) -> None:
    async def work() -> None:
        db = await _filled(tmp_path)
        async with db.reading() as session:
            rows = (await session.execute(text("SELECT n, label FROM numbers ORDER BY n"))).all()
            one = (await session.execute(text("SELECT label FROM numbers WHERE n = 5"))).one()
            nothing = (await session.execute(text("SELECT n FROM numbers WHERE n < 0"))).all()
        await db.dispose()
        assert [tuple(row) for row in rows] == [(n, f"#{n}") for n in range(MANY)]
        assert one == ("#5",)
        assert nothing == []

    _run(work())


def test_a_stream_reads_every_row_in_chunks_and_the_connection_works_after_it(
    tmp_path: Path,
) -> None:
    async def work() -> None:
        db = await _filled(tmp_path)
        async with db.reading() as session:
            result = await session.stream(text("SELECT n FROM numbers ORDER BY n"))
            chunks = [[row[0] async for row in result]]
            result = await session.stream(text("SELECT n FROM numbers ORDER BY n"))
            partitions = [[row[0] for row in part] async for part in result.partitions(300)]
        async with db.reading() as session:  # a stream left half-read
            result = await session.stream(text("SELECT n FROM numbers ORDER BY n"))
            first = await result.fetchmany(3)
            await result.close()
            after = (await session.execute(text("SELECT count(*) FROM numbers"))).scalar_one()
        await db.dispose()
        assert chunks[0] == list(range(MANY))
        assert [n for part in partitions for n in part] == list(range(MANY))
        assert max(len(part) for part in partitions) == 300
        assert [row[0] for row in first] == [0, 1, 2]
        assert after == MANY

    _run(work())


def test_row_counts_and_returning_rows_are_the_statements_own(tmp_path: Path) -> None:
    async def work() -> None:
        db = await _filled(tmp_path)
        async with db.session() as session:
            updated = await session.execute(
                text("UPDATE numbers SET label = 'odd' WHERE n % 2 = 1")
            )
            deleted = await session.execute(
                text("DELETE FROM numbers WHERE n >= :cut"), {"cut": 10}
            )
            returned = await session.execute(
                text(
                    "INSERT INTO numbers (n, label) SELECT n + :shift, 'new' FROM numbers "
                    "RETURNING n"
                ),
                {"shift": MANY * 10},
            )
            new = sorted(row[0] for row in returned)
        await db.dispose()
        assert updated.rowcount == MANY // 2
        assert deleted.rowcount == MANY - 10
        assert new == [MANY * 10 + n for n in range(10)]

    _run(work())


def test_a_failed_statement_rolls_back_its_unit_of_work_and_the_next_one_runs(
    tmp_path: Path,
) -> None:
    async def work() -> None:
        db = await _filled(tmp_path)
        with pytest.raises(IntegrityError, match="UNIQUE"):
            async with db.session() as session:
                await session.execute(text("INSERT INTO numbers (n, label) VALUES (-1, 'kept?')"))
                await session.execute(text("INSERT INTO numbers (n, label) VALUES (0, 'dup')"))
        async with db.session() as session:
            await session.execute(text("INSERT INTO numbers (n, label) VALUES (-2, 'next')"))
        async with db.reading() as session:
            labels = (
                await session.execute(text("SELECT label FROM numbers WHERE n < 0"))
            ).scalars()
            found = sorted(labels)
        await db.dispose()
        assert found == ["next"]

    _run(work())


def test_a_begin_that_cannot_take_the_lock_fails_its_first_statement_and_leaves_nothing_open(
    tmp_path: Path,
) -> None:
    """BEGIN travels with the first statement: when another connection holds the write lock
    past the busy timeout, that statement fails, and the connection is as good as new."""
    path = tmp_path / "locked.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE notes (body TEXT)")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    async def work() -> tuple[str, bool, list[tuple[str]]]:
        connection = await sqlite_driver.connect(str(path), timeout=0.05, isolation_level=None)
        try:
            cursor = connection.cursor()
            await cursor.execute("BEGIN IMMEDIATE")
            with pytest.raises(sqlite3.OperationalError) as refused:
                await cursor.execute("INSERT INTO notes VALUES ('first')")
            still_open = connection.sqlite.in_transaction
            await connection.rollback()  # what the pool does; nothing to roll back
            holder.execute("COMMIT")
            await cursor.execute("BEGIN IMMEDIATE")
            await cursor.execute("INSERT INTO notes VALUES ('second')")
            await connection.commit()
            await cursor.execute("SELECT body FROM notes")
            return str(refused.value), still_open, await cursor.fetchall()
        finally:
            await connection.close()

    message, still_open, rows = asyncio.run(work())
    holder.close()
    assert "locked" in message
    assert still_open is False
    assert rows == [("second",)]


def test_a_transaction_with_no_statement_costs_no_call_to_the_thread(tmp_path: Path) -> None:
    async def work() -> int:
        connection = await sqlite_driver.connect(str(tmp_path / "idle.db"), isolation_level=None)
        calls = 0
        real = connection._execute

        async def counted(fn: Any, *args: Any) -> Any:
            nonlocal calls
            calls += 1
            return await real(fn, *args)

        connection._execute = counted  # type: ignore[method-assign]
        try:
            cursor = connection.cursor()
            await cursor.execute("BEGIN DEFERRED")
            await connection.commit()
            await connection.rollback()
            return calls
        finally:
            await connection.close()

    assert asyncio.run(work()) == 0
