"""`veneer segments cluster`: read behaviour from the database, cluster it, write a report.

The report is a folder: ``report.json`` (model version, viewers who moved since the last
version, k chosen, silhouette and elbow curves, each cluster's stable id, name, description,
centroid, size, rule approximation and agreement) and ``k.png`` (both curves, for people).
Each run stores a new model version for `POST /v1/segments/assign`. Saving turns each
cluster's rule into an ordinary segment.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from veneer.jobs.behaviour import affinity_features, behaviour
from veneer.segments.behaviour import Feature
from veneer.segments.cluster_model import ClusterModel, stable_ids
from veneer.segments.rules import parse_window
from veneer.services import Services
from veneer.store.clusters import latest_model, save_model
from veneer.store.segments import upsert_segment

if TYPE_CHECKING:  # scikit-learn is loaded only when a clustering runs: see run_clustering
    from veneer.segments.clustering import Clustering

DEFAULT_EVENTS = ("page_view", "entry_view", "search", "add_to_cart", "purchase")
DEFAULT_TAGS = 5


def report(
    result: Clustering, model: ClusterModel, ids: list[int], moved: int | None
) -> dict[str, Any]:
    """``ids[n]`` is the stable id of the fit's cluster ``n``."""
    return {
        "version": model.version,
        "moved": moved,
        "k": result.choice.k,
        "kChosenOn": result.choice.profiles,  # profiles; a sample when there are many
        "silhouette": {str(k): round(v, 4) for k, v in result.choice.silhouettes.items()},
        "inertia": {str(k): round(v, 2) for k, v in result.choice.inertias.items()},
        "features": [f.name for f in result.features],
        "clusters": [
            {
                **asdict(c),
                "id": ids[c.number],
                "centroid": {k: round(v, 3) for k, v in c.centroid.items()},
                "agreement": round(c.agreement, 4),
            }
            for c in result.clusters
        ],
    }


async def fit_model(
    services: Services, result: Clustering, rows: np.ndarray
) -> tuple[ClusterModel, list[int], int | None]:
    """The next version; the stable id of each of the fit's clusters, carried over from the
    last version where a cluster persists; and how many viewers moved."""
    async with services.db.reading() as session:
        stored = await latest_model(session)
    previous = ClusterModel.from_json(stored) if stored else None
    names = [f.name for f in result.features]
    centres = [[c.centroid[n] for n in names] for c in result.clusters]
    ids = stable_ids(previous, names, centres, result.mean, result.scale)
    model = ClusterModel(
        (previous.version + 1) if previous else 1,
        tuple(names),
        tuple(result.mean),
        tuple(result.scale),
        {i: tuple(c) for i, c in zip(ids, centres, strict=True)},
        {i: c.name for i, c in zip(ids, result.clusters, strict=True)},
        tuple(f.to_json() for f in result.features),
    )
    moved = None
    if previous is not None and previous.features == model.features:
        before = previous.assign_many(rows)
        after = [ids[label] for label in result.labels]
        moved = sum(1 for a, b in zip(before, after, strict=True) if a != b)
    async with services.db.session() as session:
        await save_model(session, model.version, model.to_json())
    return model, ids, moved


@dataclass(frozen=True)
class ClusterRequest:
    """What `veneer segments cluster` was asked: which features, which method, what to save.

    Features: how often each of ``events`` happens; with ``visits``, sessions, their length
    and depth and days since last seen; and views of the ``tags`` most viewed tags (entries'
    ``tag_field``), all over the last ``within``.
    """

    events: tuple[str, ...] = DEFAULT_EVENTS
    within: str = "30d"
    k: int | None = None
    method: str = "kmeans"
    save_prefix: str | None = None
    visits: bool = True
    tags: int = DEFAULT_TAGS
    tag_field: str = "tags"


async def run_clustering(
    services: Services,
    output: Path,
    request: ClusterRequest = ClusterRequest(),
    on_step: Callable[[str], None] = lambda _step: None,
) -> dict[str, Any]:
    """Cluster, write ``report.json`` and ``k.png`` into ``output``; maybe save segments.

    ``on_step`` hears what is being done, for a status line: reading and fitting can take
    minutes on a large history.
    """
    within = request.within
    parse_window(within)
    features = [Feature.events(e, within) for e in request.events]
    if request.visits:
        features += Feature.visits(within, request.events)
    on_step("finding the most viewed tags")
    features += await affinity_features(services, within, request.tags, request.tag_field)
    on_step(f"measuring {len(features)} features per profile over {within}")
    rows = await behaviour(services, features)
    on_step(f"clustering {len(rows):,} profiles")
    # Imported here: `veneer` reads this module for the command's defaults on every start,
    # and scikit-learn costs seconds of that.
    from veneer.segments.clustering import cluster_profiles

    result = cluster_profiles(rows, features, k=request.k, method=request.method)
    model, ids, moved = await fit_model(services, result, rows)
    output.mkdir(parents=True, exist_ok=True)
    document = report(result, model, ids, moved)
    (output / "report.json").write_text(json.dumps(document, indent=2))
    from veneer.jobs.cluster_plot import plot  # matplotlib: loaded by the command, not the app

    plot(result, output / "k.png")
    if request.save_prefix is not None:
        async with services.db.session() as session:
            for cluster in result.clusters:
                if cluster.rule is not None:
                    key = f"{request.save_prefix}-{ids[cluster.number]}"
                    await upsert_segment(session, key, cluster.name, cluster.rule)
        await services.segments_changed()
    return document
