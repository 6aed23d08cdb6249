"""Scoring viewers with the latest propensity models as their events arrive; no retraining.

The worker (or, embedded, the app) calls `rescore_profiles` for the profiles a batch of
events touched, after the events are committed, as it assigns clusters: each event's latest
model is read from the database once per process and version (the pickled classifier the
training run stored), the profiles' behaviour is measured with the features that model was
trained on, and their scores are replaced. Only viewers whose consent grants
PERSONALIZATION now are scored, checked again where the scores are stored; the others lose
any score they had.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from veneer.consent import Purpose
from veneer.jobs.behaviour import behaviour_by_viewer
from veneer.jobs.popularity import consent_in, consent_of
from veneer.propensity.record import ModelRecord
from veneer.propensity.training import loads, predict
from veneer.segments.behaviour import Feature
from veneer.services import Services
from veneer.store.profiles import existing_profiles
from veneer.store.propensity import delete_scores, fitted_model, latest_models, save_scores

ConsentDefault = Literal["opt-in", "opt-out"]
KEPT = 8  # fitted models kept in memory per process (a few events, one version each)
_fitted: dict[tuple[str, str, int], Any] = {}  # (database, event, version) -> estimator


async def personalized(services: Services, viewer_ids: Collection[str]) -> set[str]:
    """Those of these viewers whose consent grants PERSONALIZATION now."""
    consents = await consent_of(services, sorted(set(viewer_ids)))
    return {v for v, consent in consents.items() if consent[Purpose.PERSONALIZATION].granted}


async def still_personalized(
    session: AsyncSession, default: ConsentDefault, viewer_ids: Collection[str]
) -> set[str]:
    """Those of these viewers who still exist and still grant PERSONALIZATION, read in the
    transaction that stores their scores: consent read before measuring and fitting may be
    stale by then, and a withdrawal or an erasure in between only deletes the scores that
    were already stored, so it would otherwise be undone."""
    consents = await consent_in(
        session, default, sorted(await existing_profiles(session, viewer_ids))
    )
    return {v for v, consent in consents.items() if consent[Purpose.PERSONALIZATION].granted}


def model_features(record: ModelRecord) -> list[Feature]:
    """The features a stored model was trained on, measured as they were then."""
    return [Feature.from_json(spec) for spec in record.details["features"]]


async def fitted(services: Services, record: ModelRecord) -> Any:
    """The model's classifier, unpickled once per process and version.

    A version never changes once stored, so the copy in memory cannot go stale; a newer
    version is a new key, and the oldest copies are dropped.
    """
    key = (services.settings.database_url, record.event, record.version)
    if key not in _fitted:
        async with services.db.reading() as session:
            blob = await fitted_model(session, record.event, record.version)
        if blob is None:
            raise LookupError(f"propensity model {record.event} v{record.version} is gone")
        while len(_fitted) >= KEPT:
            del _fitted[next(iter(_fitted))]
        _fitted[key] = loads(blob)
    return _fitted[key]


async def rescore_profiles(
    services: Services, profile_ids: Collection[str]
) -> dict[str, dict[str, float]]:
    """Each event's new scores for these profiles (those consenting and active), stored."""
    if not profile_ids:
        return {}
    async with services.db.reading() as session:
        models = await latest_models(session)
    if not models:
        return {}
    ids = sorted(set(profile_ids))
    allowed = sorted(await personalized(services, ids))
    now = services.clock()
    found: dict[str, dict[str, float]] = {}
    for event, record in sorted(models.items()):
        estimator = await fitted(services, record)
        rows = await behaviour_by_viewer(services, model_features(record), allowed, now)
        scored = sorted(rows)  # active in the window: as training scores them
        scores = dict(zip(scored, predict(estimator, [rows[v] for v in scored]), strict=True))
        async with services.db.session() as session:
            kept = await still_personalized(session, services.settings.consent_default, scores)
            scores = {viewer: score for viewer, score in scores.items() if viewer in kept}
            await save_scores(session, event, record.version, scores, now)
            await delete_scores(session, [v for v in ids if v not in scores], event)
        found[event] = scores
    return found
