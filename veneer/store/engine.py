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


def sync_url(url: str) -> str:
    """Alembic runs synchronously: aiosqlite becomes pysqlite; psycopg serves both modes."""
    return url.replace("sqlite+aiosqlite://", "sqlite://", 1)


logger = logging.getLogger(__name__)
SQLITE_BUSY_SECONDS = 30.0  # how long a connection waits for another's write to finish


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Wait on locks before anything else, then make sure the file is in WAL mode.

    `veneer migrate` puts the file in WAL mode, which persists; a file that is not (migrated
    by an older Veneer, or copied) is switched here. Asking for WAL takes a lock without
    waiting for it even when it changes nothing, so it is asked only when needed, and a
    connection that loses that race to another works on: WAL is for concurrency, not
    correctness, and the next connection asks again.
    """
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


class Database:
    """One engine per process; sessions are short and per unit of work."""

    def __init__(self, url: str, echo: bool = False):
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if url.startswith("postgresql"):
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        elif url.startswith("sqlite"):
            kwargs.update(connect_args={"timeout": SQLITE_BUSY_SECONDS})
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits on success and rolls back on error."""
        async with self._sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
