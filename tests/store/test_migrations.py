"""The Alembic history builds exactly the schema the models describe, on both backends."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

import veneer
from veneer.settings import normalize_database_url
from veneer.store.engine import sync_url
from veneer.store.migrate import alembic_config
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
