"""The protocol run over several seeds: test figures per model, and the one validation chose.

For each seed the interactions are split; the selection sees only the training part (and
its own validation split of it); every candidate is then fitted on the whole training part
and measured on the test part. Figures are means over the seeds, and the model reported as
selected is the one with the best mean validation precision, so no test figure chooses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from veneer.recommend.models.evaluation import DEFAULT_BUDGET, Metrics, Progress, Skipped, evaluate
from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.recipe import Recipe
from veneer.recommend.models.selection import best, select
from veneer.recommend.models.split import Protocol, split

BASELINE = "ItemPop"


def _quiet(message: str) -> None:
    pass


@dataclass
class Report:
    protocol: Protocol
    seeds: list[int]
    models: dict[str, dict[str, float]]  # metric name -> mean over seeds
    validation: dict[str, float]  # mean validation precision@k
    selected: str
    skipped: list[Skipped] = field(default_factory=list)
    k: int = 10

    def ratio(self, name: str) -> float:
        """A model's precision@k over ItemPop's, the figure the issue's bar is set in."""
        key = f"precision@{self.k}"
        return self.models[name][key] / self.models[BASELINE][key]

    def as_json(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "seeds": self.seeds,
            "models": self.models,
            "selected": self.selected,
            "validation": {f"precision@{self.k}": self.validation},
            "skipped": {s.name: s.reason for s in self.skipped},
        }


def _mean(runs: Sequence[dict[str, Metrics]]) -> dict[str, dict[str, float]]:
    names = [name for name in runs[0] if all(name in run for run in runs)]
    return {
        name: {
            metric: float(np.mean([run[name].as_dict()[metric] for run in runs]))
            for metric in runs[0][name].as_dict()
        }
        for name in names
    }


def run(
    interactions: Interactions,
    protocol: Protocol,
    seeds: Sequence[int],
    candidates: Callable[[int], Sequence[Recipe]],
    k: int = 10,
    budget: int = DEFAULT_BUDGET,
    progress: Progress = _quiet,
) -> Report:
    """Select and measure ``candidates(seed)`` for each seed; the list must include ItemPop."""
    if not seeds:
        raise ValueError("at least one seed is needed")
    tested: list[dict[str, Metrics]] = []
    validated: list[dict[str, Metrics]] = []
    skipped: dict[str, Skipped] = {}
    for seed in seeds:
        chosen = candidates(seed)
        if BASELINE not in {candidate.name for candidate in chosen}:
            raise ValueError(f"the candidates must include {BASELINE}, the baseline")
        parts = split(interactions, protocol, seed)

        def say(message: str, stage: str, seed: int = seed) -> None:
            progress(f"{protocol} seed {seed} {stage}: {message}")

        selection = select(
            chosen, parts.train, protocol, seed, k, budget, lambda m: say(m, "validation")
        )
        validated.append(selection.validation)
        results, dropped = evaluate(chosen, parts, k, budget, lambda m: say(m, "test"))
        tested.append(results)
        skipped.update({s.name: s for s in [*selection.skipped, *dropped]})
    validation = {name: figures[f"precision@{k}"] for name, figures in _mean(validated).items()}
    return Report(
        protocol=protocol,
        seeds=list(seeds),
        models=_mean(tested),
        validation=validation,
        selected=best(validation),
        skipped=list(skipped.values()),
        k=k,
    )
