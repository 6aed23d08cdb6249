"""Alembic environment: migrates the database Veneer's settings name, synchronously."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from veneer.settings import Settings
from veneer.store.engine import SQLITE_BUSY_SECONDS, sync_url
from veneer.store.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

url = config.attributes.get("database_url") or Settings().database_url
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=sync_url(url), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    sqlite = url.startswith("sqlite")
    engine = create_engine(
        sync_url(url),
        poolclass=pool.NullPool,
        connect_args={"timeout": SQLITE_BUSY_SECONDS} if sqlite else {},
    )
    with engine.connect() as connection:
        if sqlite:
            # WAL lets readers read while one process writes; it persists in the file, so
            # it is set here, once, before any server opens it.
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            connection.commit()  # else Alembic joins this transaction and never commits it
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
