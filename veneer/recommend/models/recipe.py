"""What a candidate model is: a recipe that fits on training interactions and then scores.

Evaluation, selection and serving only need ``score``: dense scores for some users over the
whole catalogue, higher meaning more likely. A recipe also says how much memory it would
need for a catalogue, so a registry can skip, and name, what a deployment cannot afford.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from veneer.recommend.models.interactions import IntArray, Interactions, Scores


class Scorer(Protocol):
    """A fitted model."""

    def score(self, users: IntArray) -> Scores:
        """len(users) x n_items scores; higher is more likely."""
        ...


class Recipe(Protocol):
    """A named recipe for a model.

    ``fit`` gets the scorers fitted before it on the same training data, so a blend reuses
    its parts instead of training them again.
    """

    @property
    def name(self) -> str: ...

    def memory(self, n_users: int, n_items: int) -> int:
        """Bytes the fitted model and its training need, at most."""
        ...

    def fit(self, train: Interactions, fitted: Mapping[str, Scorer]) -> Scorer: ...
