"""The async engine and sessions, plus the sync URL Alembic migrates with."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from veneer.store import sqlite_driver


def sync_url(url: str) -> str:
    """Alembic runs synchronously: aiosqlite becomes pysqlite; psycopg serves both modes."""
    return url.replace("sqlite+aiosqlite://", "sqlite://", 1)


logger = logging.getLogger(__name__)
SQLITE_BUSY_SECONDS = 30.0  # how long a connection waits for another's write to finish
BEGIN_OPTION = "veneer_sqlite_begin"  # execution option: how a SQLite transaction begins


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Take over BEGIN, wait on locks, then make sure the file is in WAL mode.

    The driver's own BEGIN is always deferred; `_sqlite_begin` emits ours instead, so a
    unit of work that writes can take the write lock when it starts (see there).

    `veneer migrate` puts the file in WAL mode, which persists; a file that is not (migrated
    by an older Veneer, or copied) is switched here. Asking for WAL takes a lock without
    waiting for it even when it changes nothing, so it is asked only when needed, and a
    connection that loses that race to another works on: WAL is for concurrency, not
    correctness, and the next connection asks again.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    cursor.execute("PRAGMA journal_mode")
    (mode,) = cursor.fetchone()
    if str(mode).lower() != "wal":
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except Exception as exc:  # the adapters wrap sqlite3's OperationalError differently
            if "locked" not in str(exc):
                raise
            logger.debug("SQLite stays in %s journal mode for now: %s", mode, exc)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Begin IMMEDIATE unless the session only reads.

    A deferred transaction that reads and then writes cannot wait for the write lock: if
    another connection committed since its read began, SQLite answers "database is locked"
    at once, busy timeout or not, because waiting could not make its snapshot current.
    Taking the write lock at BEGIN makes writers queue (for up to the busy timeout)
    instead. Readers (`Database.reading`) begin deferred: in WAL mode they never wait.
    """
    mode = connection.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine per process; sessions are short and per unit of work."""

    def __init__(self, url: str, echo: bool = False):
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if url.startswith("postgresql"):
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        elif url.startswith("sqlite"):
            kwargs.update(
                connect_args={"timeout": SQLITE_BUSY_SECONDS}, module=sqlite_driver.dbapi()
            )
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        readers = self.engine.execution_options(**{BEGIN_OPTION: "DEFERRED"})
        self._readers = async_sessionmaker(readers, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that may write: commits on success, rolls back on error.

        On SQLite it holds the write lock from its start, so concurrent writers queue
        rather than fail; keep it short, and do not open another inside it.
        """
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work: one consistent snapshot that never waits for writers.

        For the request path's reads, so a page is not held up by a job's write.
        Writing in it works on PostgreSQL but may fail on SQLite under contention.
        """
        async with self._readers() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
