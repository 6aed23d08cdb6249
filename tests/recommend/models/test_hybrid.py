"""LightFM with item features on planted groups whose entries share their group's tags and
words: it is measured and chosen like any candidate, serves from its artifact, and places
an entry with next to no interactions beside its group, which LightFM alone cannot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.recommend.models.planted import planted
from veneer.entries import Entry
from veneer.recommend.content_index import ContentIndex
from veneer.recommend.item_features import item_features
from veneer.recommend.models.evaluation import evaluate
from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.lightfm_model import FactorScorer, LightFm
from veneer.recommend.models.recipe import Recipe
from veneer.recommend.models.recipes import default_candidates
from veneer.recommend.models.selection import select
from veneer.recommend.models.serving import FACTORS, ServingModel, export
from veneer.recommend.models.split import split

THEMES = ("tent camping", "rope climbing", "shoe running", "stove cooking")
NEW = "g2-new"  # group 2's newest entry: its tags and words, next to no interactions
SEED = 1


def entry(item_id: str) -> Entry:
    """What the CMS says of a planted item: its group's tag and words; blockbusters alike."""
    if item_id.startswith("pop-"):
        return Entry(item_id, "product", item_id, {"title": "Bestseller", "tags": ["bestseller"]})
    group = int(item_id[1:].split("-")[0])
    fields = {"title": THEMES[group], "body": f"All about {THEMES[group]}.", "tags": [f"g{group}"]}
    return Entry(item_id, "product", item_id, fields)


def with_new_entry(interactions: int) -> Interactions:
    """The planted data and the new entry, viewed by ``interactions`` of group 2 (0 or 1)."""
    data = planted(seed=SEED)
    if interactions == 0:
        return Interactions(
            data.users, data.items, data.timestamps, data.user_ids, (*data.item_ids, NEW)
        )
    users = np.array([data.user_ids.index("u2-0")])
    return Interactions(
        np.concatenate([data.users, users]),
        np.concatenate([data.items, [data.n_items]]),
        np.concatenate([data.timestamps, [0.5]]),  # early: training keeps it
        data.user_ids,
        (*data.item_ids, NEW),
    )


def small(name: str, features: Any = None) -> LightFm:
    return LightFm(
        name=name, components=16, epochs=30, threads=1, seed=SEED, item_features=features
    )


def recipes(data: Interactions) -> dict[str, Recipe]:
    features = item_features(ContentIndex.build(entry(i) for i in data.item_ids), data.item_ids)
    return {
        "ItemPop": ItemPop(),
        "LightFM": small("LightFM"),
        "LightFM-features": small("LightFM-features", features.matrix),
    }


def served(name: str, data: Interactions) -> ServingModel:
    recipe = recipes(data)[name]
    model = export(name, {name: recipe.fit(data, {})}, {name: recipe}, data.item_ids)
    return ServingModel.from_bytes(model.to_bytes())


def test_the_features_model_is_a_default_candidate_only_with_features() -> None:
    data = with_new_entry(0)
    features = recipes(data)["LightFM-features"]
    assert isinstance(features, LightFm)

    with_them = [c.name for c in default_candidates(SEED, item_features=features.item_features)]
    assert "LightFM-features" in with_them
    assert "LightFM-features" not in [c.name for c in default_candidates(SEED)]


def test_the_features_model_is_measured_and_can_be_chosen() -> None:
    data = planted(seed=SEED)
    candidates = recipes(data)

    results, skipped = evaluate(list(candidates.values()), split(data, "time", SEED))
    assert not skipped
    assert results["LightFM-features"].precision > 2 * results["ItemPop"].precision, results
    chosen = select([candidates["ItemPop"], candidates["LightFM-features"]], data, "time", SEED)
    assert chosen.chosen == "LightFM-features"


def test_its_artifact_holds_the_item_representations_and_round_trips() -> None:
    """Serving folds a viewer in through the item factors; with features those are the
    items' representations (their own embedding plus their features'), already summed."""
    data = with_new_entry(0)
    recipe = recipes(data)["LightFM-features"]
    scorer = recipe.fit(data, {})
    assert isinstance(scorer, FactorScorer)

    model = ServingModel.from_bytes(
        export(
            "LightFM-features", {recipe.name: scorer}, {recipe.name: recipe}, data.item_ids
        ).to_bytes()
    )

    (part,) = model.parts
    assert part.kind == FACTORS and part.matrix.shape == (data.n_items, 16)
    assert np.array_equal(part.matrix, scorer.item_factors)
    assert np.array_equal(part.bias, scorer.item_bias)
    top = model.recommend(["g1-0", "g1-3", "g1-9"], 10)
    assert sum(s.entry_id.startswith("g1-") for s in top) >= 5, top
    assert all(s.entry_id.startswith(("g1-", "pop-")) for s in top), top


@pytest.mark.parametrize("interactions", [0, 1])
def test_a_new_entry_is_scored_beside_its_group_by_its_features(interactions: int) -> None:
    """Scores as served (the history folded in through the item factors) over the whole
    catalogue: the new entry ranks after its group's shelf and above every other shelf."""
    data = with_new_entry(interactions)
    history = ["g2-1", "g2-4", "g2-7"]

    def scores(model: ServingModel) -> dict[str, float]:
        (part,) = model.parts
        at = np.array([model.positions[h] for h in history], dtype=np.int64)
        served_scores = part.score(at, np.ones(len(at), dtype=np.float32))
        return dict(zip(model.item_ids, served_scores.tolist(), strict=True))

    def best_elsewhere(scored: dict[str, float]) -> float:
        return max(v for k, v in scored.items() if k.startswith(("g0-", "g1-", "g3-")))

    hybrid = served("LightFM-features", data)
    assert scores(hybrid)[NEW] > best_elsewhere(scores(hybrid))
    assert NEW in [s.entry_id for s in hybrid.recommend(history, 30)]
    if interactions == 0:  # LightFM alone has only the entry's random start to go by
        alone = served("LightFM", data)
        assert scores(alone)[NEW] < best_elsewhere(scores(alone))
        assert NEW not in [s.entry_id for s in alone.recommend(history, 30)]
