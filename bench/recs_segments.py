"""Segments as user features: how much a viewer's segments should weigh beside their history.

LightFM-features is trained with each planted viewer's group as a segment, on the training
part of a time split, then served (`ServingModel.recommend`) each held-out viewer's
training history, with and without their segment, for several ``PRIOR_ENTRIES`` (history
entries that weigh as much as the segments). ``drift`` moves each viewer to the next
group's shelf for their latest interactions, where a segment that still names the old
group misleads. Newcomers (no history, a segment only) are measured against ItemPop.
Run: ``python -m bench.recs_segments [--json]``.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import orjson

from tests.recommend.models.planted import group_of, planted
from veneer.recommend.models import serving
from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.lightfm_model import LightFm
from veneer.recommend.models.serving_evaluation import (
    History,
    histories,
    measure,
    relevant_items,
)
from veneer.recommend.models.split import held_out_mask
from veneer.recommend.user_features import user_features

SEEDS = (42, 1, 2)
PRIORS = (1.0, 3.0, 10.0)


def _segments(data: Interactions) -> dict[str, list[str]]:
    return {user: [f"g{group_of(user)}"] for user in data.user_ids}


def one(seed: int, drift: int) -> dict[str, float]:
    data = planted(seed=seed, drift=drift)
    held = held_out_mask(data, "time", seed)
    train, test = data.subset(~held), data.subset(held)
    segments = _segments(data)
    users = user_features(data.user_ids, segments)
    assert users is not None
    recipe = LightFm(
        name="LightFM-features",
        seed=seed,
        threads=1,
        user_features=users.matrix,
        feature_names=users.names,
    )
    model = serving.export(recipe.name, {recipe.name: recipe.fit(train, {})}, {}, data.item_ids)
    relevant = relevant_items(test)
    plain = histories(train)
    placed = histories(train, features=segments)
    found = {"history only": measure(model, plain, relevant)["precision@10"]}
    default = serving.PRIOR_ENTRIES
    try:
        for prior in PRIORS:
            serving.PRIOR_ENTRIES = prior  # type: ignore[assignment]
            found[f"with segment, prior {prior:g}"] = measure(model, placed, relevant)[
                "precision@10"
            ]
    finally:
        serving.PRIOR_ENTRIES = default
    shelves = {f"new-{g}": {i for i in data.item_ids if i.startswith(f"g{g}-")} for g in range(4)}
    newcomers = {v: History((), (), (f"g{v[-1]}",)) for v in shelves}
    popular = serving.export("ItemPop", {"ItemPop": ItemPop().fit(train, {})}, {}, data.item_ids)
    found["newcomers: segment only"] = measure(model, newcomers, shelves)["precision@10"]
    found["newcomers: ItemPop"] = measure(popular, newcomers, shelves)["precision@10"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    for drift in (0, 3):
        runs = [one(seed, drift) for seed in SEEDS]
        report[f"drift {drift}"] = {
            name: round(float(np.mean([r[name] for r in runs])), 4) for name in runs[0]
        }
    if args.json:
        print(orjson.dumps(report).decode())
        return
    for setting, figures in report.items():
        base = figures["history only"]
        print(f"{setting} (precision@10, mean of seeds {', '.join(map(str, SEEDS))})")
        for name, value in figures.items():
            ratio = f"  {value / base:.2f}x history only" if not name.startswith("new") else ""
            print(f"  {name:32s} {value:.4f}{ratio}")


if __name__ == "__main__":
    main()
