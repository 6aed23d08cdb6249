"""The `veneer` command: demo, serve, worker, migrate, keys, viewer-token, forget, export,
quality, import, plugin, segments. Each module registers its commands on the one Typer app."""

from veneer.cli import data, keys, people, plugins, segments, server
from veneer.cli.base import app

__all__ = ["app", "data", "keys", "people", "plugins", "segments", "server"]
