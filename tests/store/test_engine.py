"""SQLite under concurrent writers: a unit of work that read first can still write.

Another process (`veneer demo traffic` beside `veneer demo`, a worker beside the app) is a
plain sqlite3 connection on the same file here.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from veneer.store import Database


def _database(tmp_path: Path) -> tuple[Database, Path]:
    path = tmp_path / "veneer.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE notes (body TEXT)")
    return Database(f"sqlite+aiosqlite:///{path}"), path


def _bodies(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return sorted(row[0] for row in connection.execute("SELECT body FROM notes"))


def test_a_writer_that_read_first_writes_while_another_process_queues_behind_it(
    tmp_path: Path,
) -> None:
    db, path = _database(tmp_path)
    other_was_held_back = threading.Event()
    failures: list[BaseException] = []

    def other_process() -> None:
        """Write once, retrying by hand so the test sees the first time it was held back."""
        try:
            with sqlite3.connect(path, timeout=0, isolation_level=None) as connection:
                while True:
                    try:
                        connection.execute("BEGIN IMMEDIATE")
                        break
                    except sqlite3.OperationalError as exc:
                        assert "locked" in str(exc)
                        other_was_held_back.set()
                        time.sleep(0.01)  # a busy timeout's retry, made visible
                connection.execute("INSERT INTO notes VALUES ('other')")
                connection.execute("COMMIT")
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)

    async def unit_of_work() -> None:
        other = threading.Thread(target=other_process)
        async with db.session() as session:
            assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar() == 0
            other.start()
            # Had the read not taken the write lock, the other process would commit now
            # and the write below would fail with "database is locked" at once.
            assert await asyncio.to_thread(other_was_held_back.wait, 30)
            await session.execute(text("INSERT INTO notes VALUES ('mine')"))
        await asyncio.to_thread(other.join, 30)
        await db.dispose()

    asyncio.run(unit_of_work())
    assert failures == []
    assert _bodies(path) == ["mine", "other"]


def test_a_reader_neither_blocks_writers_nor_sees_them_midway(tmp_path: Path) -> None:
    db, path = _database(tmp_path)

    async def read_while_another_writes() -> tuple[int, int]:
        async with db.reading() as session:
            before = (await session.execute(text("SELECT count(*) FROM notes"))).scalar_one()
            with sqlite3.connect(path, timeout=0) as other:
                other.execute("INSERT INTO notes VALUES ('other')")
            during = (await session.execute(text("SELECT count(*) FROM notes"))).scalar_one()
        async with db.reading() as session:
            after = (await session.execute(text("SELECT count(*) FROM notes"))).scalar_one()
        await db.dispose()
        return before + during, after

    assert asyncio.run(read_while_another_writes()) == (0, 1)
