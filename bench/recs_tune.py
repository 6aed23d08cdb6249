"""How the candidates' defaults were chosen: a grid measured on validation splits only.

For each protocol and seed, the data are split as the evaluation splits them, the training
part is split again by the same protocol (the validation split that selection uses), and
every setting in the grid is fitted on the validation training part and measured on its
held-out part. The test part is never read. Figures are precision@10 over ItemPop's on the
same validation split, means over seeds.
Run: ``python -m bench.recs_tune --data DIR [--protocols random,time] [--json]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from veneer.jobs.recbole_files import read_recbole
from veneer.recommend.models.blend import Blend
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.evaluation import evaluate
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.lightfm_model import LightFm
from veneer.recommend.models.recipe import Recipe
from veneer.recommend.models.selection import validation_split
from veneer.recommend.models.split import Protocol, split

LAMBDAS = (200.0, 300.0, 500.0, 800.0, 1200.0)
HALF_LIVES = (5.0, 10.0, 20.0)
WEIGHTS = (0.5, 0.7)


def grid(seed: int, protocol: str) -> list[Recipe]:
    candidates: list[Recipe] = [ItemPop(), LightFm(seed=seed)]
    profiles = [None, *HALF_LIVES] if protocol == "time" else [None]
    for lam in LAMBDAS:
        for half_life in profiles:
            suffix = "" if half_life is None else f" half-life {half_life:g}"
            name = f"EASE {lam:g}{suffix}"
            candidates.append(Ease(name=name, lam=lam, half_life=half_life))
            for weight in WEIGHTS:
                parts = ((name, weight), ("LightFM", 1 - weight))
                candidates.append(Blend(f"{weight:g} {name} + LightFM", parts))
    return candidates


def tune(data: Any, protocol: Protocol, seeds: list[int]) -> dict[str, float]:
    ratios: dict[str, list[float]] = {}
    for seed in seeds:
        train = split(data, protocol, seed).train
        results, _ = evaluate(grid(seed, protocol), validation_split(train, protocol, seed))
        baseline = results["ItemPop"].precision
        for name, figures in results.items():
            ratios.setdefault(name, []).append(figures.precision / baseline)
    return {name: round(float(np.mean(values)), 3) for name, values in ratios.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--protocols", default="random,time")
    parser.add_argument("--seeds", default="42,1,2")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    data = read_recbole(Path(args.data)).interactions
    seeds = [int(seed) for seed in args.seeds.split(",")]
    result = {p: tune(data, p, seeds) for p in args.protocols.split(",")}
    if args.json:
        print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
        return
    for protocol, figures in result.items():
        print(f"{protocol}: validation precision@10 over ItemPop's, best last")
        for name, ratio in sorted(figures.items(), key=lambda item: item[1]):
            print(f"  {name:<40} {ratio:.3f}")


if __name__ == "__main__":
    main()
