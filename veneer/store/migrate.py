"""Run the Alembic migrations from code (`veneer migrate`, `veneer demo`, the test setup).

The migrations ship inside the package (``veneer/migrations``) and Alembic finds them
through the package, so an installed wheel migrates from any working directory; no
``alembic.ini`` is read here.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config

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
