"""Training a recommendation model from Veneer's own events, and registering it.

One run: read consenting viewers' weighted interactions over the window; hold out each
viewer's latest interactions (the time protocol); choose a recipe on a validation split
carved from the training part, never the holdout; measure every candidate on the holdout,
and the chosen one and the current champion the way they serve (each holdout viewer's
training history through the serving model); register the version with its figures,
window, parameters, artifact and viewer list in one transaction; promote it only if it is
not worse than the champion on that holdout (precision@10), otherwise record why not.

The default candidates include LightFM with item features (each entry's content type, tags,
categories and words, from the catalogue; see `recs_features`) whenever the CMS answers, so
the hybrid competes on the same holdout; without them the run says why in its message and
parameters.

The artifact is the chosen recipe fitted on the training part: exactly what was measured.
A champion trained on an earlier window may have seen some of today's holdout, which can
only flatter it, so the comparison leans towards keeping the champion, never towards a
worse newcomer. Runs in one process at a time (a lease), and never on the request path.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import math
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from veneer.jobs import recs_registry
from veneer.jobs.lease import only_one
from veneer.jobs.recs_features import Features, read_features
from veneer.jobs.recs_interactions import Window, read_window
from veneer.recommend.models.als import Als
from veneer.recommend.models.evaluation import Skipped, evaluate_scorer, fit_all
from veneer.recommend.models.interactions import BoolArray, Interactions
from veneer.recommend.models.lightfm_model import LightFm
from veneer.recommend.models.recipe import Recipe
from veneer.recommend.models.recipes import default_candidates
from veneer.recommend.models.selection import select
from veneer.recommend.models.serving import ArtifactError, ServingModel, export
from veneer.recommend.models.serving_evaluation import (
    History,
    histories,
    measure,
    relevant_items,
)
from veneer.recommend.models.split import Split, held_out_mask
from veneer.recommend.user_features import MIN_MEMBERS, user_features
from veneer.services import Services
from veneer.store import recommendation_models as registry

logger = logging.getLogger(__name__)
K = 10
PRECISION = f"precision@{K}"
SEED = 42
MIN_VIEWERS = 10  # with a holdout each: fewer, and no figure means anything
MIN_ITEMS = 5
# Per viewer measured: the holdout takes a fifth (rounded, at least one of 3), and choosing
# the recipe takes a fifth of the rest again, which needs 4 to leave one held out for each.
MIN_PER_VIEWER = 4
Progress = Callable[[str], None]
# Candidates a caller passes bring their own features, if any: the run reads none for them.
CALLERS_CHOICE = Features(None, {"used": False, "reason": "the caller chose the candidates"})


def _quiet(message: str) -> None:
    pass


@dataclass
class TrainingResult:
    """What a run did; ``version`` is None when nothing was registered, and ``message`` says why."""

    message: str
    version: int | None = None
    recipe: str | None = None
    promoted: bool = False
    decision: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    data_window: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "recipe": self.recipe,
            "promoted": self.promoted,
            "decision": self.decision,
            "message": self.message,
            "metrics": self.metrics,
            "dataWindow": self.data_window,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
        }


def installed(candidates: Sequence[Recipe]) -> tuple[list[Recipe], list[Skipped]]:
    """The candidates whose libraries are installed (LightFM and ALS need the recs extra)."""
    needs = {LightFm: "lightfm", Als: "implicit"}
    kept: list[Recipe] = []
    skipped: list[Skipped] = []
    for candidate in candidates:
        module = next((m for kind, m in needs.items() if isinstance(candidate, kind)), None)
        if module is not None and importlib.util.find_spec(module) is None:
            skipped.append(Skipped(candidate.name, f"needs {module} (pip install 'veneer[recs]')"))
        else:
            kept.append(candidate)
    return kept, skipped


def too_little(window: Window) -> str | None:
    """Why the window cannot train a model worth measuring, or None."""
    data = window.interactions
    measurable = int((data.per_user() >= MIN_PER_VIEWER).sum()) if len(data) else 0
    if measurable < MIN_VIEWERS or data.n_items < MIN_ITEMS:
        return (
            f"too little data to train: {measurable} viewers with {MIN_PER_VIEWER} or more "
            "interactions and "
            f"{data.n_items} entries in the last {(window.until - window.since).days} days "
            f"(at least {MIN_VIEWERS} and {MIN_ITEMS} are needed); "
            f"{window.skipped_viewers} viewers left out without RECOMMENDATIONS consent; "
            "nothing registered"
        )
    return None


async def _champion_model(services: Services) -> tuple[registry.ModelVersion | None, Any]:
    async with services.db.reading() as session:
        current = await registry.champion(session)
        if current is None:
            return None, None
        data = await registry.read_artifact(
            session, current.version, services.settings.recommend_artifact_dir
        )
    try:
        return current, ServingModel.from_bytes(data)
    except ArtifactError as exc:
        logger.warning("champion %d cannot be read: %s", current.version, exc)
        return current, exc


def decide(
    chosen: float, champion: registry.ModelVersion | None, theirs: float | None, forced: str
) -> tuple[bool, str]:
    """Whether to promote, and the decision as it is recorded."""
    if champion is None:
        return True, f"promoted: no champion yet; {PRECISION} {chosen:.4f} on the holdout"
    if forced:
        return True, f"promoted: {forced}; {PRECISION} {chosen:.4f} against {theirs}"
    if theirs is None or math.isnan(theirs):
        return True, f"promoted: champion v{champion.version} could not be measured"
    if chosen >= theirs:
        return True, (
            f"promoted: {PRECISION} {chosen:.4f} on the holdout is not worse than "
            f"champion v{champion.version}'s {theirs:.4f}"
        )
    return False, (
        f"not promoted: {PRECISION} {chosen:.4f} on the holdout is below champion "
        f"v{champion.version}'s {theirs:.4f}"
    )


@dataclass(frozen=True)
class Trained:
    """What the CPU-bound half of a run produced."""

    chosen: str
    model: ServingModel
    holdout: dict[str, dict[str, float]]
    validation: dict[str, float]
    skipped: list[Skipped]
    history: dict[str, History]
    relevant: dict[str, set[str]]
    served: dict[str, float]


def first_held_out(data: Interactions, held_out: BoolArray) -> dict[str, float]:
    """Each viewer's earliest held-out interaction time: what they did before it trains."""
    firsts: dict[str, float] = {}
    for user, stamp in zip(data.users[held_out], data.timestamps[held_out], strict=True):
        viewer = data.user_ids[user]
        firsts[viewer] = min(float(stamp), firsts.get(viewer, math.inf))
    return firsts


def fit_and_measure(
    window: Window,
    candidates: Sequence[Recipe],
    budget: int,
    progress: Progress,
    features: Mapping[str, Collection[str]] | None = None,
    held_out: BoolArray | None = None,
) -> Trained:
    """Split by time (or as ``held_out`` says, when the caller split already), choose on
    validation, fit on the training part, measure on the holdout (serving each held-out
    viewer's history with their user ``features``, if given)."""
    data = window.interactions
    if held_out is None:
        held_out = held_out_mask(data, "time", SEED)
    parts = Split(data.subset(~held_out), data.subset(held_out))
    progress("choosing a recipe on the validation split")
    selection = select(candidates, parts.train, "time", SEED, K, budget, progress)
    fitted = fit_all(candidates, parts, budget, progress)
    skipped = list(selection.skipped) + [s for s in fitted.skipped if s not in selection.skipped]
    holdout: dict[str, dict[str, float]] = {}
    for name, scorer in fitted.scorers.items():
        progress(f"measuring {name} on the holdout")
        figures = evaluate_scorer(scorer, parts, K)
        holdout[name] = replace(figures, train_s=fitted.train_s[name]).as_dict()
    recipes = {c.name: c for c in candidates}
    model = export(selection.chosen, fitted.scorers, recipes, data.item_ids)
    history = histories(parts.train, window.strengths[~held_out], features)
    relevant = relevant_items(parts.test)
    progress(f"measuring {selection.chosen} as it serves")
    served = measure(model, history, relevant, K)
    validation = {name: m.precision for name, m in selection.validation.items()}
    return Trained(selection.chosen, model, holdout, validation, skipped, history, relevant, served)


async def train(
    services: Services,
    reason: str = "manual",
    progress: Progress = _quiet,
    candidates: Sequence[Recipe] | None = None,
    promote: bool = True,
) -> TrainingResult:
    """One training run under the training lease; see the module docstring."""
    async with only_one(services, "recs-training") as mine:
        if not mine:
            return TrainingResult("another process is training a recommendation model")
        return await _train(services, reason, progress, candidates, promote)


async def _train(
    services: Services,
    reason: str,
    progress: Progress,
    candidates: Sequence[Recipe] | None,
    promote: bool,
) -> TrainingResult:
    started = time.perf_counter()
    settings = services.settings
    now = services.clock()
    progress("reading interactions")
    window = await read_window(services, now - timedelta(days=settings.recommend_train_days), now)
    if (why := too_little(window)) is not None:
        logger.info("recommendation training: %s", why)
        return TrainingResult(why, data_window=window.as_json())
    features = CALLERS_CHOICE
    user_params = CALLERS_CHOICE.params
    # One time split serves both: the user features (segments as they stood before each
    # viewer's held-out interactions) and the fitting and measuring.
    held_out = held_out_mask(window.interactions, "time", SEED)
    described = window.described(first_held_out(window.interactions, held_out))
    if not candidates:
        progress("reading the entries' content types, tags and words")
        features = await read_features(services, window.interactions.item_ids)
        matrix = None if features.features is None else features.features.matrix
        users = user_features(window.interactions.user_ids, described)
        candidates = default_candidates(SEED, item_features=matrix, user_features=users)
        user_params = (
            users.as_params()
            if users is not None
            else {
                "used": False,
                "reason": f"no segment or trait is held by {MIN_MEMBERS} trained viewers "
                "who allow PERSONALIZATION",
            }
        )
    chosen_list, skipped = installed(candidates)
    budget = int(settings.recommend_budget_gib * 2**30)
    # The fitting is CPU-bound: off the event loop, so the process keeps serving meanwhile.
    trained = await asyncio.to_thread(
        fit_and_measure, window, chosen_list, budget, progress, described, held_out
    )
    skipped += [s for s in trained.skipped if s not in skipped]
    data, model, history, relevant = (
        window.interactions,
        trained.model,
        trained.history,
        trained.relevant,
    )
    served = trained.served
    current, champion_model = await _champion_model(services)
    theirs: dict[str, float] | None = None
    if isinstance(champion_model, ServingModel):
        progress(f"measuring champion v{current.version if current else '?'} on the holdout")
        theirs = await asyncio.to_thread(measure, champion_model, history, relevant, K)
    forced = ""
    if current is not None and current.retrain_due is not None:
        forced = (
            f"champion v{current.version} was trained on data since withdrawn or erased "
            f"and must be replaced by {current.retrain_due.isoformat()}"
        )
    promoting, decision = decide(
        served[PRECISION], current, theirs[PRECISION] if theirs else None, forced
    )
    if not promote:
        decision = f"registered only (would have been {decision})"
        promoting = False
    skipped_reasons = {s.name: s.reason for s in skipped}
    metrics = {
        "k": K,
        "holdout": trained.holdout,
        "validation": trained.validation,
        "chosen": served,
        "champion": None if current is None else {"version": current.version, **(theirs or {})},
        "skipped": skipped_reasons,
    }
    params = {
        "reason": reason,
        "split": "time",
        "seed": SEED,
        "k": K,
        "days": settings.recommend_train_days,
        "weights": dict(settings.recommend_weights),
        "halfLifeDays": settings.recommend_train_half_life_days,
        "budgetGiB": settings.recommend_budget_gib,
        "candidates": [c.name for c in chosen_list],
        "itemFeatures": features.params,
        "userFeatures": user_params,
    }
    candidate = recs_registry.Candidate(
        recipe=trained.chosen,
        created_at=now,
        metrics=metrics,
        params=params,
        data_window=window.as_json(),
        viewers=data.user_ids,
        artifact=model.to_bytes(),
        directory=settings.recommend_artifact_dir,
    )
    measured = None if current is None else current.version
    registered = await recs_registry.register(
        services, candidate, measured=measured, promoting=promoting, decision=decision
    )
    version, promoting, decision = registered.version, registered.promoted, registered.decision
    took = time.perf_counter() - started
    logger.info("recommendation model v%d (%s) registered: %s", version, trained.chosen, decision)
    message = f"registered version {version} ({trained.chosen}): {decision}"
    if features is not CALLERS_CHOICE and features.note:
        message += f"; {features.note}"
    return TrainingResult(
        message=message,
        version=version,
        recipe=trained.chosen,
        promoted=promoting,
        decision=decision,
        metrics=metrics,
        data_window=window.as_json(),
        skipped=skipped_reasons,
        seconds=took,
    )
