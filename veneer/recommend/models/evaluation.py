"""Fitting candidates and measuring them on a split, the way the protocol says.

Every user with at least one test item counts once; their candidates are all items except
their training items; relevance is binary; the figures are means over those users. A
candidate whose fitted size would not fit the memory budget is skipped, and so is a blend
that needs it, each with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from veneer.recommend.models import metrics
from veneer.recommend.models.blend import Blend
from veneer.recommend.models.interactions import IntArray
from veneer.recommend.models.ranking import mask_seen, top_n
from veneer.recommend.models.recipe import Recipe, Scorer
from veneer.recommend.models.split import Split

DEFAULT_BUDGET = 8 * 2**30  # bytes a model may take while fitting
Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@dataclass(frozen=True)
class Metrics:
    """Means over the evaluated users, except coverage (of the catalogue) and train_s."""

    precision: float
    recall: float
    ndcg: float
    coverage: float
    auc: float
    diversity: float
    train_s: float = 0.0
    k: int = 10

    def as_dict(self) -> dict[str, float]:
        k = self.k
        return {
            f"precision@{k}": self.precision,
            f"recall@{k}": self.recall,
            f"ndcg@{k}": self.ndcg,
            f"coverage@{k}": self.coverage,
            "auc": self.auc,
            f"diversity@{k}": self.diversity,
            "train_s": self.train_s,
        }


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


@dataclass
class Fitted:
    scorers: dict[str, Scorer] = field(default_factory=dict)
    train_s: dict[str, float] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)


def affordable(candidate: Recipe, n_users: int, n_items: int, budget: int) -> str | None:
    """Why the candidate cannot be fitted within ``budget`` bytes, or None when it can."""
    needed = candidate.memory(n_users, n_items)
    if needed <= budget:
        return None
    return (
        f"needs {needed / 2**30:.1f} GiB for {n_users:,} users x {n_items:,} items, "
        f"over the {budget / 2**30:.1f} GiB budget"
    )


def fit_all(
    candidates: Sequence[Recipe],
    split: Split,
    budget: int = DEFAULT_BUDGET,
    progress: Progress = _quiet,
) -> Fitted:
    """Fit each candidate that fits, in order, timing each; a blend's time adds its parts'."""
    train = split.train
    fitted = Fitted()
    for candidate in candidates:
        reason = affordable(candidate, train.n_users, train.n_items, budget)
        if reason is None and isinstance(candidate, Blend):
            missing = [name for name in candidate.parts if name not in fitted.scorers]
            if missing:
                reason = f"its part {', '.join(missing)} was not fitted"
        if reason is not None:
            fitted.skipped.append(Skipped(candidate.name, reason))
            progress(f"skipping {candidate.name}: {reason}")
            continue
        progress(f"fitting {candidate.name}")
        started = time.perf_counter()
        fitted.scorers[candidate.name] = candidate.fit(train, fitted.scorers)
        took = time.perf_counter() - started
        if isinstance(candidate, Blend):
            took += sum(fitted.train_s[name] for name in candidate.parts)
        fitted.train_s[candidate.name] = took
    return fitted


def evaluate_scorer(scorer: Scorer, split: Split, k: int = 10, batch: int = 1024) -> Metrics:
    """The protocol's metrics for one fitted model on the split's test interactions."""
    train = split.train.matrix()
    test = split.test.matrix()
    users: IntArray = np.flatnonzero(split.test.per_user() > 0)
    if len(users) == 0:
        raise ValueError("no user has a held-out interaction to measure on")
    vectors = metrics.unit_rows(train.T.tocsr())
    per_user: dict[str, list[np.ndarray]] = {
        "precision": [],
        "recall": [],
        "ndcg": [],
        "auc": [],
        "diversity": [],
    }
    tops = []
    for start in range(0, len(users), batch):
        chunk = users[start : start + batch]
        scores = scorer.score(chunk).astype(np.float64, copy=True)
        seen = train[chunk].toarray() > 0
        relevant = test[chunk].toarray() > 0
        per_user["auc"].append(metrics.auc(scores, seen, relevant))
        top = top_n(mask_seen(scores, chunk, train), k)
        tops.append(top)
        per_user["precision"].append(metrics.precision(top, relevant))
        per_user["recall"].append(metrics.recall(top, relevant))
        per_user["ndcg"].append(metrics.ndcg(top, relevant))
        per_user["diversity"].append(metrics.diversity(top, vectors))
    means = {name: float(np.concatenate(values).mean()) for name, values in per_user.items()}
    return Metrics(coverage=metrics.coverage(tops, split.train.n_items), k=k, **means)


def evaluate(
    candidates: Sequence[Recipe],
    split: Split,
    k: int = 10,
    budget: int = DEFAULT_BUDGET,
    progress: Progress = _quiet,
) -> tuple[dict[str, Metrics], list[Skipped]]:
    """Fit every affordable candidate on the split's training part and measure it on its test."""
    fitted = fit_all(candidates, split, budget, progress)
    results = {}
    for name, scorer in fitted.scorers.items():
        progress(f"measuring {name}")
        measured = evaluate_scorer(scorer, split, k)
        results[name] = replace(measured, train_s=fitted.train_s[name])
    return results, fitted.skipped
