"""Choosing the model to serve: the best on a validation split carved from the training data.

The test split must not choose: a model picked by its test score has seen the test, and its
figure flatters it. So the training part is split again with the same protocol (the time
protocol holds out each user's latest training interactions), every candidate is fitted on
what is left, and the highest precision@k there wins. Equal precision goes to the better
nDCG@k (on a catalogue of a dozen entries every top 10 holds every relevant one, and only
the order tells models apart), then to the earlier candidate, which the default list orders
from cheapest to dearest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from veneer.recommend.models.evaluation import DEFAULT_BUDGET, Metrics, Progress, Skipped, evaluate
from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.recipe import Recipe
from veneer.recommend.models.split import Protocol, Split, split

# The validation split draws its own random keys: the same seed would, for the random
# protocol, line the two shuffles up user by user.
VALIDATION_SEED_OFFSET = 1_000


def _quiet(message: str) -> None:
    pass


@dataclass(frozen=True)
class Selection:
    chosen: str
    validation: dict[str, Metrics]
    skipped: list[Skipped]


def validation_split(train: Interactions, protocol: Protocol, seed: int) -> Split:
    """The training interactions split again, by the same protocol, with a different seed."""
    return split(train, protocol, seed + VALIDATION_SEED_OFFSET)


def best(results: Mapping[str, float]) -> str:
    """The name with the highest figure; the first one listed among equals."""
    if not results:
        raise ValueError("no candidate was measured")
    return max(results, key=lambda name: results[name])


def select(
    candidates: Sequence[Recipe],
    train: Interactions,
    protocol: Protocol,
    seed: int,
    k: int = 10,
    budget: int = DEFAULT_BUDGET,
    progress: Progress = _quiet,
) -> Selection:
    """Fit each candidate on a validation split of ``train`` and choose by precision@k."""
    results, skipped = evaluate(
        candidates, validation_split(train, protocol, seed), k, budget, progress
    )
    if not results:
        raise ValueError("no candidate was measured")
    chosen = max(results, key=lambda name: (results[name].precision, results[name].ndcg))
    return Selection(chosen, results, skipped)
