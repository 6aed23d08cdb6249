"""Training a propensity model: two calibrated classifiers, the better one on held-out viewers.

Logistic regression (on log-scaled, standardized counts) and gradient boosting
(scikit-learn's histogram-based one) are each wrapped in `CalibratedClassifierCV`, so a
score is a probability one can put a threshold on ("0.7 or more"), not just a ranking.
Calibration is sigmoid (Platt) below ``ISOTONIC_FROM`` viewers, where isotonic regression
would overfit, and isotonic from there; the held-out evaluation uses the calibration the
stored model has. A stratified share of viewers is held
out; the kind with the higher AUC on it wins (logistic on a tie: simpler, and as good), its
held-out evaluation is reported, and it is fitted again on every viewer to be stored.

scikit-learn is imported inside the functions: it takes seconds to load, and the app and
the worker import this package on every start while only training fits anything.
Pure: a feature matrix and labels in, a fitted estimator and numbers out.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from veneer.propensity.evaluation import Evaluation, evaluate

Kind = Literal["logistic", "gradient-boosting"]
KINDS: tuple[Kind, ...] = ("logistic", "gradient-boosting")
MIN_EACH = 20  # viewers who converted, and who did not: fewer, and AUC is noise
HELD_OUT = 0.3
FOLDS = 3  # calibration folds
ISOTONIC_FROM = 1_000


class TooFewExamples(ValueError):
    def __init__(self, event: str, positives: int, negatives: int, needed: int = MIN_EACH):
        super().__init__(
            f"too few examples to train: {positives} viewer(s) sent {event} within the "
            f"horizon and {negatives} did not; each side needs at least {needed}"
        )
        self.positives = positives
        self.negatives = negatives


@dataclass(frozen=True)
class Trained:
    kind: Kind
    calibration: str  # "sigmoid" or "isotonic"
    estimator: Any  # the calibrated classifier fitted on every viewer
    held_out: Evaluation  # the same kind fitted without them, scored on them
    candidates: dict[str, float]  # held-out AUC of each kind
    viewers: int
    positives: int


def _candidate(kind: Kind, calibration: str, seed: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    base: Any
    if kind == "logistic":
        # Counts are skewed (a few viewers view hundreds of pages): logs keep them from
        # dominating the fit.
        base = make_pipeline(
            FunctionTransformer(np.log1p), StandardScaler(), LogisticRegression(max_iter=1000)
        )
    else:
        base = HistGradientBoostingClassifier(
            max_iter=150, learning_rate=0.05, max_leaf_nodes=15, random_state=seed
        )
    return CalibratedClassifierCV(base, method=calibration, cv=FOLDS)


def predict(estimator: Any, rows: np.ndarray | Sequence[Sequence[float]]) -> list[float]:
    """Each row's probability of converting (on one thread: see `fit_propensity`)."""
    from threadpoolctl import threadpool_limits

    matrix = np.asarray(rows, dtype=float)
    if len(matrix) == 0:
        return []
    with threadpool_limits(limits=1):
        return [float(p) for p in estimator.predict_proba(matrix)[:, 1]]


def fit_propensity(
    rows: np.ndarray, labels: np.ndarray, event: str = "the event", seed: int = 0
) -> Trained:
    """Fit both kinds, keep the better on held-out viewers, refit it on everyone.

    On one thread: gradient boosting's OpenMP threads otherwise spin against each other
    and against requests on a shared machine, which made a fit of 900 viewers take 40 s
    instead of half a second on two busy cores.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _fit(rows, labels, event, seed)


def _fit(rows: np.ndarray, labels: np.ndarray, event: str, seed: int) -> Trained:
    from sklearn.model_selection import train_test_split

    matrix = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=int)
    positives = int(y.sum())
    if positives < MIN_EACH or len(y) - positives < MIN_EACH:
        raise TooFewExamples(event, positives, len(y) - positives)
    fit_x, test_x, fit_y, test_y = train_test_split(
        matrix, y, test_size=HELD_OUT, stratify=y, random_state=seed
    )
    # Chosen by every viewer, as for the stored model: the held-out figures describe the
    # calibration that is stored, not the one a fit on the smaller split would pick.
    calibration = "isotonic" if len(y) >= ISOTONIC_FROM else "sigmoid"
    evaluations: dict[Kind, Evaluation] = {}
    for kind in KINDS:
        model = _candidate(kind, calibration, seed).fit(fit_x, fit_y)
        evaluations[kind] = evaluate(predict(model, test_x), test_y)
    best = max(KINDS, key=lambda k: (round(evaluations[k].auc, 6), k == "logistic"))
    return Trained(
        kind=best,
        calibration=calibration,
        estimator=_candidate(best, calibration, seed).fit(matrix, y),
        held_out=evaluations[best],
        candidates={k: evaluations[k].auc for k in KINDS},
        viewers=len(y),
        positives=positives,
    )


def dumps(estimator: Any) -> bytes:
    """The fitted estimator as bytes for the database.

    Pickle, because that is how scikit-learn models are kept; only Veneer's own training
    writes these rows, and a pickle must never be read from anywhere else.
    """
    return pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL)


def loads(blob: bytes) -> Any:
    return pickle.loads(blob)  # written by fit_propensity only: see dumps
