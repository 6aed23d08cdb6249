"""What is kept about a trained model and a viewer's score, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


def model_name(kind: str, version: int) -> str:
    """How a score names its model, like a recommendation's strategy: ``logistic:v3``."""
    return f"{kind}:v{version}"


@dataclass(frozen=True)
class ModelRecord:
    """A stored model without its fitted classifier: which, when, and how good."""

    event: str
    version: int
    kind: str
    details: dict[str, Any]  # the training report: features, horizon, AUC, calibration, ...
    trained_at: datetime

    @property
    def name(self) -> str:
        return model_name(self.kind, self.version)


@dataclass(frozen=True)
class Score:
    """One viewer's probability of sending ``event`` within the horizon, and its source."""

    event: str
    score: float
    model: str
    updated_at: datetime
