"""`veneer segments cluster`: read behaviour from the database, cluster it, write a report.

The report is a folder: ``report.json`` (k chosen, silhouette and elbow curves, each cluster's
name, description, centroid, size, rule approximation and agreement) and ``k.png`` (both
curves, for people). Saving turns each cluster's rule into an ordinary segment.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from sqlalchemy import case, func, select

from veneer.segments.clustering import Clustering, Feature, cluster_profiles
from veneer.segments.rules import parse_window
from veneer.services import Services
from veneer.store.models import EventRow
from veneer.store.segments import upsert_segment

matplotlib.use("Agg")  # files only, no screen

DEFAULT_EVENTS = ("page_view", "entry_view", "search", "add_to_cart", "purchase")


async def behaviour(services: Services, features: list[Feature]) -> list[list[float]]:
    """One row per profile with any counted event: its count of each feature's events."""
    now = services.clock()
    since = {f.name: now - parse_window(f.within) for f in features}
    columns = [
        func.sum(
            case(
                (
                    (EventRow.type == f.event) & (EventRow.timestamp >= since[f.name]),
                    1,
                ),
                else_=0,
            )
        )
        for f in features
    ]
    earliest = min(since.values()) if since else now - timedelta(days=30)
    async with services.db.session() as session:
        rows = await session.execute(
            select(EventRow.viewer_id, *columns)
            .where(
                EventRow.type.in_([f.event for f in features]),
                EventRow.timestamp >= earliest,
                EventRow.timestamp <= now,
            )
            .group_by(EventRow.viewer_id)
            .order_by(EventRow.viewer_id)
        )
        return [[float(v or 0) for v in row[1:]] for row in rows]


def plot(result: Clustering, path: Path) -> None:
    figure = Figure(figsize=(7, 4))
    left = figure.subplots()
    ks = sorted(result.choice.silhouettes)
    left.plot(ks, [result.choice.silhouettes[k] for k in ks], "o-", color="tab:blue")
    left.set_xlabel("k (clusters)")
    left.set_ylabel("silhouette (higher is better)", color="tab:blue")
    left.axvline(result.choice.k, color="grey", linestyle="--")
    if result.choice.inertias:
        right = left.twinx()
        inertia_ks = sorted(result.choice.inertias)
        right.plot(
            inertia_ks, [result.choice.inertias[k] for k in inertia_ks], "s-", color="tab:red"
        )
        right.set_ylabel("inertia (elbow)", color="tab:red")
    left.set_title(f"k = {result.choice.k}, chosen by silhouette")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def report(result: Clustering) -> dict[str, Any]:
    return {
        "k": result.choice.k,
        "silhouette": {str(k): round(v, 4) for k, v in result.choice.silhouettes.items()},
        "inertia": {str(k): round(v, 2) for k, v in result.choice.inertias.items()},
        "features": [f.name for f in result.features],
        "clusters": [{**asdict(c), "agreement": round(c.agreement, 4)} for c in result.clusters],
    }


async def run_clustering(
    services: Services,
    output: Path,
    events: tuple[str, ...] = DEFAULT_EVENTS,
    within: str = "30d",
    k: int | None = None,
    method: str = "kmeans",
    save_prefix: str | None = None,
) -> dict[str, Any]:
    """Cluster, write ``report.json`` and ``k.png`` into ``output``; maybe save segments."""
    parse_window(within)
    features = [Feature.events(e, within) for e in events]
    rows = await behaviour(services, features)
    result = cluster_profiles(rows, features, k=k, method=method)
    output.mkdir(parents=True, exist_ok=True)
    document = report(result)
    (output / "report.json").write_text(json.dumps(document, indent=2))
    plot(result, output / "k.png")
    if save_prefix is not None:
        async with services.db.session() as session:
            for cluster in result.clusters:
                if cluster.rule is not None:
                    key = f"{save_prefix}-{cluster.number}"
                    await upsert_segment(session, key, cluster.name, cluster.rule)
        await services.segments_changed()
    return document
