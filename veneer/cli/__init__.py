"""The `veneer` command: demo (and demo traffic), serve, worker, migrate, keys, viewer-token,
forget, export, quality, import, plugin, segments, recs, propensity, experiments, triggers,
placements, email-url, email-key, queries, audit.
Each module registers its commands on the one Typer app."""

from veneer.cli import (
    audit,
    data,
    demo,
    demo_experiment,
    experiment_admin,
    experiments,
    keys,
    people,
    placements,
    plugins,
    propensity,
    queries,
    recs,
    segments,
    server,
    triggers,
)
from veneer.cli.base import app

__all__ = [
    "app",
    "audit",
    "data",
    "demo",
    "demo_experiment",
    "experiment_admin",
    "experiments",
    "keys",
    "people",
    "placements",
    "plugins",
    "propensity",
    "queries",
    "recs",
    "segments",
    "server",
    "triggers",
]
