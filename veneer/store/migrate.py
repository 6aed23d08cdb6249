"""Run the Alembic migrations from code (`veneer migrate`, `veneer demo`, the test setup)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from veneer.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    ini = ROOT / "alembic.ini"
    if not ini.exists():
        raise FileNotFoundError(
            f"alembic.ini not found at {ini}: run Veneer from its source checkout "
            "(pip install -e .)"
        )
    config = Config(str(ini))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    return config


def migrate(settings: Settings, revision: str = "head") -> None:
    """Bring the database up to ``revision``, creating the SQLite folder if needed."""
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings.database_url), revision)
