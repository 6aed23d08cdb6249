"""`veneer propensity train`: learn who is likely to send an event soon, and score everyone.

Training looks back: viewers are measured as they were at ``now - horizon`` (the cutoff),
over the window before it, and labelled by whether they sent the event in the horizon after
it, which has fully passed, so every label is known. The model is then stored as a new
version (with its held-out AUC, Brier score and calibration table) and scores everyone
active in the window ending now; those scores replace the event's previous ones, and the
segments that compare them are decided again. Only viewers whose consent grants
PERSONALIZATION now are trained on or scored. Housekeeping runs this on a schedule
(`Schedule`), in one process at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np

from veneer.jobs.behaviour import behaviour_by_viewer
from veneer.jobs.lease import only_one
from veneer.jobs.memberships import backfill, segments_comparing
from veneer.jobs.propensity_scoring import personalized, still_personalized
from veneer.propensity.features import propensity_features
from veneer.propensity.record import model_name
from veneer.propensity.training import TooFewExamples, Trained, dumps, fit_propensity, predict
from veneer.segments.rules import RuleError, parse_window
from veneer.services import Services
from veneer.store.events import viewers_who_sent
from veneer.store.propensity import latest_models, replace_scores, save_model
from veneer.store.segments import mark_undecided

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainRequest:
    """Predict ``event`` within ``horizon`` from behaviour over the ``window`` before."""

    event: str = "purchase"
    horizon: str = "7d"
    window: str = "30d"
    seed: int = 0

    def check(self) -> None:
        """Refuse bad windows before reading anything, naming the option."""
        if not self.event:
            raise ValueError("event: name the event type to predict, such as purchase")
        for name in ("horizon", "window"):
            try:
                parse_window(getattr(self, name), name)
            except RuleError as error:
                raise ValueError(str(error)) from error


def _rounded(value: float) -> float:
    return round(value, 4)


def report(
    request: TrainRequest, trained: Trained, cutoff: datetime, now: datetime
) -> dict[str, Any]:
    """What the run found, in the words the table and ``--json`` use (the model's version
    aside: the stored row numbers it)."""
    held = trained.held_out
    return {
        "event": request.event,
        "kind": trained.kind,
        "calibration": trained.calibration,
        "horizon": request.horizon,
        "window": request.window,
        "cutoff": cutoff.isoformat(),
        "trainedAt": now.isoformat(),
        "viewers": trained.viewers,
        "converted": trained.positives,
        "heldOut": {
            "viewers": held.viewers,
            "converted": held.positives,
            "auc": _rounded(held.auc),
            "brier": _rounded(held.brier),
            "brierOfBaseRate": _rounded(held.brier_of_base_rate),
            "candidates": {kind: _rounded(auc) for kind, auc in trained.candidates.items()},
            "calibration": [
                {k: _rounded(v) if isinstance(v, float) else v for k, v in asdict(b).items()}
                for b in held.calibration
            ],
        },
    }


async def train_propensity(
    services: Services,
    request: TrainRequest = TrainRequest(),
    on_step: Callable[[str], None] = lambda _step: None,
) -> dict[str, Any]:
    """Train, store the model and everyone's scores; the report. Raises `TooFewExamples`."""
    request.check()
    now = services.clock()
    cutoff = now - parse_window(request.horizon)
    features = propensity_features(request.window)
    on_step(f"measuring behaviour over the {request.window} before {cutoff:%Y-%m-%d %H:%M}")
    then = await behaviour_by_viewer(services, features, None, cutoff)
    on_step(f"finding who sent {request.event} in the {request.horizon} after")
    async with services.db.reading() as session:
        converted = await viewers_who_sent(session, request.event, cutoff, now)
    on_step("measuring behaviour now")
    current = await behaviour_by_viewer(services, features, None, now)
    on_step("reading consent")
    allowed = await personalized(services, then.keys() | current.keys())
    learn = sorted(v for v in then if v in allowed)
    rows = np.asarray([then[v] for v in learn], dtype=float).reshape(-1, len(features))
    labels = np.asarray([v in converted for v in learn], dtype=int)
    on_step(f"fitting and calibrating on {len(learn):,} viewers")
    trained = await asyncio.to_thread(fit_propensity, rows, labels, request.event, request.seed)
    scoring = sorted(v for v in current if v in allowed)
    on_step(f"scoring {len(scoring):,} viewers")
    scores = await asyncio.to_thread(predict, trained.estimator, [current[v] for v in scoring])
    found = report(request, trained, cutoff, now)
    details = {**found, "features": [f.to_json() for f in features]}
    keys = sorted(await segments_comparing(services, request.event))
    on_step(f"storing the model and {len(scoring):,} scores")
    # One transaction: the model, every score and the segments to re-decide land together
    # or not at all, so a failure midway leaves the previous model's scores serving.
    # Consent and erasure are read again inside it: either may have landed since `allowed`.
    async with services.db.session() as session:
        kept = await still_personalized(session, services.settings.consent_default, scoring)
        stored = {v: s for v, s in zip(scoring, scores, strict=True) if v in kept}
        version = await save_model(
            session, request.event, trained.kind, details, dumps(trained.estimator), now
        )
        await replace_scores(session, request.event, version, stored, now)
        await mark_undecided(session, keys)
    await services.propensity_changed()
    found = {
        "event": request.event,
        "version": version,
        "model": model_name(trained.kind, version),
        **found,
        "scored": len(stored),
    }
    if keys:
        on_step(f"deciding {', '.join(keys)} again")
        try:
            await backfill(services, keys)
        except Exception:  # marked undecided above: housekeeping decides them
            logger.exception("%s left for housekeeping to decide again", ", ".join(keys))
    return {**found, "segments": keys}


class Schedule:
    """When housekeeping trains: each configured event whose latest model is older than
    ``propensity_interval`` seconds (or missing), under a lease, so one process trains.

    The age is read from the stored model, so a restarted process does not train again
    early, nor wait a whole interval first. A run refused for too few examples is not
    tried again by this process for an interval: measuring everyone to find there are still
    too few buyers every few minutes would cost more than it could tell.
    """

    def __init__(self) -> None:
        self.refused: dict[str, float] = {}  # event -> when (monotonic) it was last refused

    async def run_due(self, services: Services) -> list[dict[str, Any]] | None:
        """The reports of the runs done; None when another process holds the lease."""
        settings = services.settings
        async with only_one(services, "propensity") as mine:
            if not mine:
                return None
            async with services.db.reading() as session:
                models = await latest_models(session)
            done = []
            for event in settings.propensity_event_types():
                record = models.get(event)
                age = None if record is None else services.clock() - record.trained_at
                if age is not None and age.total_seconds() < settings.propensity_interval:
                    continue
                refused = self.refused.get(event)
                if (
                    refused is not None
                    and time.monotonic() - refused < settings.propensity_interval
                ):
                    continue
                request = TrainRequest(
                    event, settings.propensity_horizon, settings.propensity_window
                )
                try:
                    found = await train_propensity(services, request)
                except TooFewExamples as error:
                    self.refused[event] = time.monotonic()
                    logger.info("propensity of %s not trained: %s", event, error)
                    continue
                self.refused.pop(event, None)
                logger.info(
                    "propensity of %s: %s trained on %d viewers, held-out AUC %.3f, %d scored",
                    event,
                    found["model"],
                    found["viewers"],
                    found["heldOut"]["auc"],
                    found["scored"],
                )
                done.append(found)
            return done
