"""Assigning viewers to the latest discovered cluster as their events arrive; no refit.

The worker (or, embedded, the app) calls this for the profiles a batch of events touched, and
`POST /v1/segments/assign` for one viewer; both measure with the features the model was
fitted on, as they were measured then.
"""

from __future__ import annotations

from collections.abc import Collection

from veneer.jobs.behaviour import behaviour_by_viewer
from veneer.segments.behaviour import Feature
from veneer.segments.cluster_model import ClusterModel
from veneer.services import Services
from veneer.store.clusters import latest_model, save_assignments


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
    async with services.db.reading() as session:
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
