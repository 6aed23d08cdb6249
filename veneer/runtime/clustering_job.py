"""`veneer segments cluster`: read behaviour from the database, cluster it, write a report.

The report is a folder: ``report.json`` (model version, viewers who moved since the last
version, k chosen, silhouette and elbow curves, each cluster's stable id, name, description,
centroid, size, rule approximation and agreement) and ``k.png`` (both curves, for people).
Each run stores a new model version for `POST /v1/segments/assign`. Saving turns each
cluster's rule into an ordinary segment.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from sqlalchemy import func, select

from veneer.segments.behaviour import TAG_EVENT, Feature, events_read, measure
from veneer.segments.cluster_model import ClusterModel, stable_ids
from veneer.segments.clustering import Clustering, cluster_profiles
from veneer.segments.evaluate import ViewerEvent
from veneer.segments.rules import parse_window
from veneer.services import Services
from veneer.store.clusters import latest_model, save_assignments, save_model
from veneer.store.models import EventRow
from veneer.store.segments import upsert_segment

matplotlib.use("Agg")  # files only, no screen

DEFAULT_EVENTS = ("page_view", "entry_view", "search", "add_to_cart", "purchase")
DEFAULT_TAGS = 5
TAG_PAGE = 100


async def behaviour(
    services: Services, features: list[Feature], viewer_ids: list[str] | None = None
) -> np.ndarray:
    """One row per profile with any event in the window (or just ``viewer_ids``').

    Rows go straight into a flat array of doubles, 8 bytes a value, so measuring millions of
    profiles does not hold millions of Python lists.
    """
    flat = array("d")
    async for _viewer, row in each_viewers_behaviour(services, features, viewer_ids):
        flat.extend(row)
    return np.frombuffer(flat, dtype=float).reshape(-1, len(features))


async def behaviour_by_viewer(
    services: Services, features: list[Feature], viewer_ids: list[str]
) -> dict[str, list[float]]:
    """The features of these viewers (those with events in the window)."""
    return {v: row async for v, row in each_viewers_behaviour(services, features, viewer_ids)}


async def each_viewers_behaviour(
    services: Services, features: list[Feature], viewer_ids: list[str] | None = None
) -> AsyncIterator[tuple[str, list[float]]]:
    """Each active profile's features, its events streamed in viewer order (one in memory)."""
    if any(f.kind == "trait" for f in features):
        raise ValueError("features: traits are not behaviour; cluster on events")
    now = services.clock()
    longest = max((parse_window(f.within) for f in features), default=timedelta(days=30))
    types = events_read(features)
    query = (
        select(
            EventRow.viewer_id,
            EventRow.type,
            EventRow.timestamp,
            EventRow.entry_id,
            EventRow.properties,
        )
        .where(EventRow.timestamp >= now - longest, EventRow.timestamp <= now)
        .order_by(EventRow.viewer_id, EventRow.timestamp)
    )
    if viewer_ids is not None:
        query = query.where(EventRow.viewer_id.in_(viewer_ids))
    if types is not None:
        query = query.where(EventRow.type.in_(sorted(types)))
    current: str | None = None
    events: list[ViewerEvent] = []
    async with services.db.session() as session:
        async for viewer_id, kind, at, entry_id, properties in await session.stream(query):
            if viewer_id != current:
                if current is not None:
                    yield current, measure(events, features, now)
                current, events = viewer_id, []
            events.append(ViewerEvent(kind, at, entry_id, properties or {}))
    if current is not None:
        yield current, measure(events, features, now)


async def tagged_entries(services: Services, field: str) -> dict[str, list[str]]:
    """Entry ids by tag, from each published entry's ``field`` (a list of strings)."""
    found: dict[str, list[str]] = {}
    after: str | None = None
    while True:
        page = await services.content.list_entries(None, TAG_PAGE, after, None)
        for entry in page.entries:
            tags = entry.fields.get(field)
            for tag in tags if isinstance(tags, list) else []:
                if isinstance(tag, str) and tag:
                    found.setdefault(tag, []).append(entry.id)
        if not page.has_next_page or not page.cursors:
            return found
        after = page.cursors[-1]


async def affinity_features(
    services: Services, within: str, how_many: int, field: str = "tags"
) -> list[Feature]:
    """Views of each of the ``how_many`` tags viewed most in the window, as features."""
    if how_many <= 0:
        return []
    by_tag = await tagged_entries(services, field)
    now = services.clock()
    async with services.db.session() as session:
        rows = await session.execute(
            select(EventRow.entry_id, func.count())
            .where(
                EventRow.type == TAG_EVENT,
                EventRow.entry_id.is_not(None),
                EventRow.timestamp >= now - parse_window(within),
                EventRow.timestamp <= now,
            )
            .group_by(EventRow.entry_id)
        )
        views = {entry_id: int(n) for entry_id, n in rows}
    totals = {tag: sum(views.get(i, 0) for i in ids) for tag, ids in by_tag.items()}
    top = sorted((t for t in totals if totals[t]), key=lambda t: (-totals[t], t))[:how_many]
    return [Feature.tag_views(tag, by_tag[tag], within) for tag in top]


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
    async with services.db.session() as session:
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
    result = cluster_profiles(rows, features, k=request.k, method=request.method)
    model, ids, moved = await fit_model(services, result, rows)
    output.mkdir(parents=True, exist_ok=True)
    document = report(result, model, ids, moved)
    (output / "report.json").write_text(json.dumps(document, indent=2))
    plot(result, output / "k.png")
    if request.save_prefix is not None:
        async with services.db.session() as session:
            for cluster in result.clusters:
                if cluster.rule is not None:
                    key = f"{request.save_prefix}-{ids[cluster.number]}"
                    await upsert_segment(session, key, cluster.name, cluster.rule)
        await services.segments_changed()
    return document


def model_features(model: ClusterModel) -> list[Feature]:
    """The features a stored model was fitted on, measured as they were then."""
    if model.specs:
        return [Feature.from_json(spec) for spec in model.specs]
    found = []  # models from before specs were kept: event counts, named "purchase in 30d"
    for name in model.features:
        event, _, within = name.rpartition(" in ")
        found.append(Feature.events(event, within))
    return found


async def assign_profiles(services: Services, profile_ids: Collection[str]) -> dict[str, int]:
    """Nearest cluster of the latest model for these profiles, stored; no refit."""
    if not profile_ids:
        return {}
    async with services.db.session() as session:
        stored = await latest_model(session)
    if stored is None:
        return {}
    model = ClusterModel.from_json(stored)
    rows = await behaviour_by_viewer(services, model_features(model), list(profile_ids))
    zeros = [0.0] * len(model.features)
    ids = sorted(profile_ids)
    clusters = dict(zip(ids, model.assign_many([rows.get(p, zeros) for p in ids]), strict=True))
    async with services.db.session() as session:
        await save_assignments(session, model.version, clusters, services.clock())
    return clusters
