"""aiosqlite with one thread hop per statement instead of four.

aiosqlite runs each call on its connection's own thread and wakes the event loop with the
result. SQLAlchemy's adapter makes four such calls per statement (open a cursor, execute,
fetch, close), and each is a round trip between threads, bounded by the GIL's switch
interval when the loop is busy. The ingest transaction of one event is about 15 statements,
so most of its time was these round trips. Here the cursor executes the statement and fetches
its first rows in a single call; closing a cursor whose rows are all read costs nothing, and
only a result longer than ``FIRST_ROWS`` (a server-side stream of events) fetches again.

The connection is still aiosqlite's, with its thread and its queue (``_execute`` queues a
function for that thread); only the cursor differs. It is plugged in as the module the
SQLAlchemy dialect uses, so the dialect, pool and error handling stay SQLAlchemy's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from types import SimpleNamespace
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

FIRST_ROWS = 1000  # rows fetched with the statement; a longer result is fetched in chunks

Row = Any
_Description = tuple[tuple[Any, ...], ...] | None


class _Outcome:
    """What one statement left on its thread: rows read so far and the cursor's attributes."""

    __slots__ = ("cursor", "description", "lastrowid", "rowcount", "rows")

    def __init__(self, cursor: sqlite3.Cursor, rows: list[Row]):
        self.description: _Description = cursor.description
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid
        self.rows = rows
        done = cursor.description is None or len(rows) < FIRST_ROWS
        if done:
            cursor.close()
        self.cursor: sqlite3.Cursor | None = None if done else cursor


class Cursor:
    """An aiosqlite-shaped cursor: ``execute`` runs and reads in one call to the thread."""

    def __init__(self, connection: OneHopConnection):
        self._connection = connection
        self._open: sqlite3.Cursor | None = None
        self._rows: list[Row] = []
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        await self.close()
        if not parameters and sql.startswith("BEGIN"):
            self._connection.begin_later(sql)  # sent with the next statement
            self._rows, self.description, self.rowcount, self.lastrowid = [], None, -1, None
            return self
        conn = self._connection.sqlite

        def run() -> _Outcome:
            cursor = conn.cursor()
            cursor.execute(sql, () if parameters is None else parameters)
            rows = cursor.fetchmany(FIRST_ROWS) if cursor.description else []
            return _Outcome(cursor, rows)

        self._take(await self._connection.call(run))
        return self

    async def executemany(self, sql: str, seq_of_parameters: Sequence[Any]) -> Cursor:
        await self.close()
        conn = self._connection.sqlite

        def run() -> _Outcome:
            cursor = conn.cursor()
            cursor.executemany(sql, seq_of_parameters)
            return _Outcome(cursor, [])

        self._take(await self._connection.call(run))
        return self

    def _take(self, outcome: _Outcome) -> None:
        self._open = outcome.cursor
        self._rows = outcome.rows
        self.description = outcome.description
        self.rowcount = outcome.rowcount
        self.lastrowid = outcome.lastrowid

    async def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        if self._open is not None:
            rows += await self._connection.call(self._open.fetchall)
            await self.close()
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        size = size or self.arraysize
        if len(self._rows) < size and self._open is not None:
            more = await self._connection.call(self._open.fetchmany, max(size, FIRST_ROWS))
            if not more:
                await self.close()
            self._rows += more
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def fetchone(self) -> Row | None:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def __aiter__(self) -> AsyncIterator[Row]:
        while rows := await self.fetchmany(FIRST_ROWS):
            for row in rows:
                yield row

    async def close(self) -> None:
        if self._open is not None:
            cursor, self._open = self._open, None
            await self._connection.call(cursor.close)


class OneHopConnection(aiosqlite.Connection):
    """aiosqlite's connection, handing out `Cursor` instead of aiosqlite's.

    A transaction's BEGIN waits to travel with its first statement, and ending a transaction
    that is not open costs nothing: SQLAlchemy's pool rolls back every connection it takes
    back, after the commit that already ended its transaction. A BEGIN that fails (the busy
    timeout ran out) fails that first statement instead, and leaves no transaction open.
    """

    _begin: str | None = None

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection, to be used only on this connection's thread."""
        return self._conn

    def begin_later(self, sql: str) -> None:
        self._begin = sql

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on the connection's thread, after any pending BEGIN; one trip."""
        begin, self._begin = self._begin, None
        if begin is None:
            return await self._execute(fn, *args)  # type: ignore[no-untyped-call]
        conn = self._conn

        def begun() -> Any:
            conn.execute(begin)
            return fn(*args)

        return await self._execute(begun)  # type: ignore[no-untyped-call]

    async def commit(self) -> None:
        if self._open_transaction():
            await self._execute(self._conn.commit)  # type: ignore[no-untyped-call]

    async def rollback(self) -> None:
        if self._open_transaction():
            await self._execute(self._conn.rollback)  # type: ignore[no-untyped-call]

    def _open_transaction(self) -> bool:
        """Drops a BEGIN no statement followed; reading the flag needs no trip to the thread."""
        if self._begin is not None:
            self._begin = None
            return False
        return self._connection is not None and self._conn.in_transaction

    def cursor(self) -> Cursor:  # type: ignore[override]  # no thread hop to make one
        return Cursor(self)


def connect(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> OneHopConnection:
    """``aiosqlite.connect`` for `OneHopConnection`: the thread opens the file on start."""

    def connector() -> sqlite3.Connection:
        opened: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return opened

    connection = OneHopConnection(connector, iter_chunk_size)
    connection._thread.daemon = True  # as SQLAlchemy sets it for aiosqlite's own connections
    return connection


def dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI module for ``create_async_engine(..., module=dbapi())``."""
    module = SimpleNamespace(**vars(aiosqlite))
    module.connect = connect
    return AsyncAdapt_aiosqlite_dbapi(module, sqlite3)  # type: ignore[arg-type]
