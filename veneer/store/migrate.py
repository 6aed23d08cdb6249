"""Run the Alembic migrations from code, and tell whether a database needs them.

The migrations ship inside the package (``veneer/migrations``) and Alembic finds them
through the package, so an installed wheel migrates from any working directory; no
``alembic.ini`` is read here.

A server started on a database that is not migrated would answer ``/health`` and then fail
its first real request on a missing table; `veneer serve`, `veneer worker` and ``/health``
ask :func:`schema_state` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from veneer.settings import Settings

SCRIPT_LOCATION = "veneer:migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    return config


def migrate(settings: Settings, revision: str = "head") -> None:
    """Bring the database up to ``revision``, creating the SQLite folder if needed."""
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings.database_url), revision)


@cache
def _scripts() -> ScriptDirectory:
    """The history this code ships; read once, it cannot change while the process runs."""
    return ScriptDirectory.from_config(alembic_config(""))


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against the migrations this code ships."""

    current: str | None  # the database's revision; None: it was never migrated
    head: str  # the revision this code needs
    pending: int  # migrations `veneer migrate` would apply

    @property
    def problem(self) -> str | None:
        """Why this code cannot use the database yet, with what to do; None when it can.

        A revision this code does not know was written by a newer Veneer, whose migrations
        keep older servers working while a deployment rolls out: that is not a problem.
        """
        if self.current is None:
            return "the database was never migrated (it has no Veneer tables): run `veneer migrate`"
        if self.pending:
            return (
                f"the database schema is at revision {self.current}, this Veneer needs "
                f"{self.head} ({self.pending} migration{'s' * (self.pending > 1)} behind): "
                "run `veneer migrate`"
            )
        return None


def state_of(current: str | None) -> SchemaState:
    scripts = _scripts()
    head = scripts.get_current_head()
    assert head is not None, "the migrations ship with the package"
    try:
        pending = len(list(scripts.iterate_revisions(head, current or "base")))
    except RevisionError:  # a revision of a newer Veneer
        pending = 0
    return SchemaState(current, head, pending)


async def schema_state(session: AsyncSession) -> SchemaState:
    def current(sync: Session) -> str | None:
        return MigrationContext.configure(sync.connection()).get_current_revision()

    return state_of(await session.run_sync(current))
