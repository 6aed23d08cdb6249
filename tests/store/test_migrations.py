"""The Alembic history builds exactly the schema the models describe, on both backends."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

import veneer
from veneer.settings import Settings, normalize_database_url
from veneer.store import Database
from veneer.store.engine import sync_url
from veneer.store.migrate import alembic_config, migrate
from veneer.store.models import Base


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_engine(sync_url(normalize_database_url(database_url)))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_nothing_and_back(database_url: str) -> None:
    url = normalize_database_url(database_url)
    config = alembic_config(url)
    command.downgrade(config, "base")
    engine = create_engine(sync_url(url))
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert {"api_keys", "profiles", "consent_records", "segments"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_the_migrations_are_found_inside_the_package() -> None:
    """An installed wheel has no checkout around it: the history must ship in ``veneer``."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite:///unused.db"))
    assert Path(scripts.dir).resolve().is_relative_to(Path(veneer.__file__).resolve().parent)
    assert scripts.get_current_head() is not None


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])


def test_a_migrated_sqlite_file_is_in_wal_mode_and_a_server_switches_one_that_is_not(
    tmp_path: Path,
) -> None:
    """Readers read while one process writes only in WAL mode; a file copied from elsewhere,
    in the default mode, is switched by the first connection that opens it."""
    migrated = tmp_path / "migrated.db"
    migrate(Settings(database_url=f"sqlite:///{migrated}"))
    assert _journal_mode(migrated) == "wal"

    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as connection:
        connection.execute("CREATE TABLE t (x INTEGER)")
    assert _journal_mode(plain) == "delete"

    async def touch() -> None:
        database = Database(normalize_database_url(f"sqlite:///{plain}"))
        async with database.session() as session:
            await session.execute(text("SELECT 1"))
        await database.dispose()

    asyncio.run(touch())
    assert _journal_mode(plain) == "wal"
