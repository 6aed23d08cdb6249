"""How good a propensity model is on viewers it never saw: ranking, accuracy, calibration.

AUC says whether likely buyers are ranked above the others (0.5 is a coin); the Brier score
is the mean squared error of the probabilities (lower is better; predicting the base rate for
everyone scores ``rate * (1 - rate)``); the calibration table says whether a score of 0.7
means seven in ten: viewers in tenths by score, each tenth's mean score beside the share of
it that converted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BINS = 10


@dataclass(frozen=True)
class CalibrationBin:
    viewers: int
    predicted: float  # the bin's mean score
    observed: float  # the share of the bin that converted
    low: float  # its lowest and highest score
    high: float


@dataclass(frozen=True)
class Evaluation:
    viewers: int
    positives: int
    auc: float
    brier: float
    base_rate: float
    calibration: tuple[CalibrationBin, ...]

    @property
    def brier_of_base_rate(self) -> float:
        """The Brier score of giving everyone the base rate: what a model must beat."""
        return self.base_rate * (1 - self.base_rate)


def calibration_table(
    predicted: Sequence[float] | np.ndarray, observed: Sequence[int] | np.ndarray, bins: int = BINS
) -> tuple[CalibrationBin, ...]:
    """Viewers sorted by score in ``bins`` groups of (nearly) equal size.

    Equal counts rather than equal score ranges: scores bunch up near the base rate, and a
    tenth of the score range with three viewers in it says nothing.
    """
    scores = np.asarray(predicted, dtype=float)
    labels = np.asarray(observed, dtype=float)
    order = np.argsort(scores, kind="stable")
    found = []
    for part in np.array_split(order, min(bins, len(order))):
        if len(part):
            found.append(
                CalibrationBin(
                    viewers=len(part),
                    predicted=float(scores[part].mean()),
                    observed=float(labels[part].mean()),
                    low=float(scores[part].min()),
                    high=float(scores[part].max()),
                )
            )
    return tuple(found)


def evaluate(
    predicted: Sequence[float] | np.ndarray, observed: Sequence[int] | np.ndarray
) -> Evaluation:
    """Scores against what happened; both classes must be present."""
    from sklearn.metrics import brier_score_loss, roc_auc_score  # see veneer.propensity.training

    scores = np.asarray(predicted, dtype=float)
    labels = np.asarray(observed, dtype=int)
    return Evaluation(
        viewers=len(labels),
        positives=int(labels.sum()),
        auc=float(roc_auc_score(labels, scores)),
        brier=float(brier_score_loss(labels, scores)),
        base_rate=float(labels.mean()),
        calibration=calibration_table(scores, labels),
    )
