"""When housekeeping trains a recommendation model, and the drift check that may ask it to.

- every ``recommend_train_interval`` seconds since the last version was registered (read
  from the registry, so restarts do not reset the clock), or since this process last tried;
- at once when the champion was trained on data of a viewer who has since withdrawn
  RECOMMENDATIONS consent or been erased (``retrain_due``, set by the withdrawal or the
  erasure): the replacement is promoted whatever its figures, and if none can be trained
  the champion is retired, so the deadline is always met;
- a running champion/challenger experiment is concluded daily first (`recs_challenge`);
- when the daily drift check finds the champion's precision@10 on interactions newer than
  its window has dropped by more than ``recommend_drift_drop`` of its registered holdout
  figure, or finds no registered figure to hold it to ("unmeasured"). Every check is
  recorded on the champion.

``recommend_train_interval = 0`` turns the first and the last off (the demo does: there a
run happens when someone asks, so what the README shows does not depend on when the server
looked); the privacy deadline holds regardless.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from veneer.jobs import recs_registry
from veneer.jobs.recs_challenge import conclude_running
from veneer.jobs.recs_interactions import read_window
from veneer.jobs.recs_training import MIN_VIEWERS, PRECISION, K, TrainingResult, train
from veneer.recommend.models.serving import ServingModel
from veneer.recommend.models.serving_evaluation import History, measure
from veneer.services import Services
from veneer.store import recommendation_models as registry

logger = logging.getLogger(__name__)
PRIVACY_RETRY_SECONDS = 600.0  # a privacy run that failed is tried again this often


@dataclass
class Schedule:
    """What one process remembers between housekeeping rounds (monotonic seconds)."""

    last_attempt: float = -math.inf
    last_drift: float = -math.inf
    last_conclusion: float = -math.inf


async def due(services: Services, schedule: Schedule, now_monotonic: float) -> str | None:
    """Why a training run is due now, or None."""
    async with services.db.reading() as session:
        current = await registry.champion(session)
        latest = await registry.latest_created_at(session)
    if current is not None and current.retrain_due is not None:
        if now_monotonic - schedule.last_attempt >= PRIVACY_RETRY_SECONDS:
            return f"privacy: champion v{current.version} must be replaced"
        return None
    interval = services.settings.recommend_train_interval
    if interval == 0 or now_monotonic - schedule.last_attempt < interval:
        return None
    if latest is not None and services.clock() - latest < timedelta(seconds=interval):
        return None
    return "schedule"


async def check_drift(services: Services) -> dict[str, Any] | None:
    """Score the champion on interactions newer than its window; record and return the check
    (``drifted`` says whether retraining is called for), or None without a champion."""
    async with services.db.reading() as session:
        current = await registry.champion(session)
        if current is None:
            return None
        artifact = await registry.read_artifact(
            session, current.version, services.settings.recommend_artifact_dir
        )
    # Loading and scoring are CPU-bound: off the event loop, which serves requests meanwhile.
    model = await asyncio.to_thread(ServingModel.from_bytes, artifact)
    now = services.clock()
    window_end = datetime.fromisoformat(str(current.data_window["to"]))
    since = now - timedelta(days=services.settings.recommend_train_days)
    window = await read_window(services, since, now)
    data = window.interactions
    before: dict[str, list[tuple[float, str, float]]] = {}
    fresh: dict[str, set[str]] = {}
    for row in range(len(data)):
        viewer = data.user_ids[data.users[row]]
        item = data.item_ids[data.items[row]]
        stamp = float(data.timestamps[row])
        if stamp > window_end.timestamp():
            fresh.setdefault(viewer, set()).add(item)
        else:
            before.setdefault(viewer, []).append((-stamp, item, float(window.strengths[row])))
    # Segments as they stood when the champion's window closed, as it was measured.
    described = window.described(dict.fromkeys(window.segments, window_end.timestamp()))
    history = {
        viewer: History(
            tuple(i for _, i, _ in sorted(rows)),
            tuple(w for *_, w in sorted(rows)),
            tuple(sorted(described.get(viewer, ()))),
        )
        for viewer, rows in before.items()
    }
    relevant = {viewer: items for viewer, items in fresh.items() if viewer in history}
    value = (current.metrics.get("chosen") or {}).get(PRECISION)
    registered = float(value) if isinstance(value, int | float) else None
    if registered is not None and not math.isfinite(registered):
        registered = None
    check: dict[str, Any] = {"at": now.isoformat(), "registered": registered}
    if registered is None:
        # No figure to compare with, so no drop can ever be seen: drift is unknown, and a
        # retrained version comes with a figure the next check can hold it to.
        check |= {"drifted": True, "unmeasured": True, "note": f"no registered {PRECISION}"}
    elif len(relevant) < MIN_VIEWERS:
        check |= {"drifted": False, "note": f"{len(relevant)} viewers with fresh interactions"}
    else:
        figures = await asyncio.to_thread(measure, model, history, relevant, K)
        limit = registered * (1 - services.settings.recommend_drift_drop)
        check |= {
            "fresh": figures[PRECISION],
            "viewers": figures["viewers"],
            "drifted": bool(figures[PRECISION] < limit),
        }
    async with services.db.session() as session:
        await registry.record_check(session, current.version, "drift", check)
    logger.info("recommendation drift check of v%d: %s", current.version, check)
    return check


async def run_scheduled(services: Services, schedule: Schedule, now_monotonic: float) -> None:
    """One housekeeping round's worth: a champion/challenger experiment concluded, the drift
    check, then training, each when due."""
    interval = services.settings.recommend_drift_interval
    scheduled = services.settings.recommend_train_interval > 0
    if scheduled and now_monotonic - schedule.last_conclusion >= interval:
        schedule.last_conclusion = now_monotonic
        for conclusion in await conclude_running(services):
            logger.info("model experiment %s: %s", conclusion.key, conclusion.reason)
    reason = await due(services, schedule, now_monotonic)
    if reason is None and scheduled and now_monotonic - schedule.last_drift >= interval:
        schedule.last_drift = now_monotonic
        check = await check_drift(services)
        if check is not None and check.get("unmeasured"):
            reason = f"drift: unmeasured (the champion has no registered {PRECISION})"
        elif check is not None and check["drifted"]:
            reason = (
                f"drift: {PRECISION} {check['fresh']:.4f} on fresh interactions against "
                f"{check['registered']:.4f} registered"
            )
    if reason is None:
        return
    schedule.last_attempt = now_monotonic
    result: TrainingResult | None = None
    try:
        result = await train(services, reason)
    finally:
        # Even when training raised: the deadline must not depend on it succeeding.
        if reason.startswith("privacy") and (result is None or not result.promoted):
            await _retire_if_still_due(services, result)


async def _retire_if_still_due(services: Services, result: TrainingResult | None) -> None:
    """Retire a champion that must go when no replacement came: at once if nothing could be
    registered, else (a failure may pass, a worse model is not promoted) within the hour
    before its deadline. ``result`` is None when training raised."""
    async with services.db.reading() as session:
        current = await registry.champion(session)
    if current is None or current.retrain_due is None:
        return  # replaced
    if result is not None and not result.data_window:
        return  # another process is training
    near = current.retrain_due <= services.clock() + timedelta(hours=1)
    if result is None:
        if not near:
            logger.warning(
                "training to replace v%d failed; tried again before its deadline %s",
                current.version,
                current.retrain_due.isoformat(),
            )
            return
        why = "training failed"
    elif near or result.version is None:
        why = result.message
    else:
        return
    await recs_registry.retire(
        services,
        current.version,
        f"retired: trained on data since withdrawn or erased, and no replacement could "
        f"be trained ({why})",
    )
