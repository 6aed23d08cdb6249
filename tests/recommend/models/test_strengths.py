"""Models fit on how much each interaction counts, not only on whether it happened.

In a shop, viewers glance at many entries and buy few; what they buy says what they want.
Each planted shopper buys 5 items of their group's shelf (strength 3) and glances at 10
entries anywhere in the shop (strength 1); the held-out interactions are 4 more items of
their shelf. Fitted on the plain pairs, the glances drown the purchases; fitted on the
strengths, every collaborative model finds the shelves.
"""

from __future__ import annotations

import numpy as np
import pytest

from veneer.recommend.models.als import Als
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.evaluation import evaluate_scorer
from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.lightfm_model import LightFm
from veneer.recommend.models.recipe import Recipe
from veneer.recommend.models.split import Split

PURCHASE, GLANCE = 3.0, 1.0


def shop(groups: int = 4, shoppers: int = 40, shelf: int = 25, seed: int = 0) -> Split:
    """Training purchases and glances with their strengths; later purchases held out."""
    rng = np.random.default_rng(seed)
    records: list[tuple[str, str, float]] = []
    strengths: list[float] = []
    later: list[tuple[str, str, float]] = []
    for group in range(groups):
        for member in range(shoppers):
            user = f"u{group}-{member}"
            picks = [f"g{group}-{i}" for i in rng.choice(shelf, 9, replace=False)]
            records += [(user, item, 0.0) for item in picks[:5]]
            strengths += [PURCHASE] * 5
            taken = set(picks)
            while len(taken) < 9 + 10:
                item = f"g{rng.integers(groups)}-{rng.integers(shelf)}"
                if item not in taken:
                    taken.add(item)
                    records.append((user, item, 0.0))
                    strengths.append(GLANCE)
            later += [(user, item, 1.0) for item in picks[5:]]
    data = Interactions.from_records(records + later)
    held_out = np.arange(len(data)) >= len(records)
    weighed = data.weighed(np.array(strengths + [PURCHASE] * len(later)))
    return Split(weighed.subset(~held_out), weighed.subset(held_out))


def unweighed(split: Split) -> Split:
    def plain(data: Interactions) -> Interactions:
        return Interactions(data.users, data.items, data.timestamps, data.user_ids, data.item_ids)

    return Split(plain(split.train), plain(split.test))


@pytest.mark.parametrize(
    "recipe",
    [
        Ease(lam=10.0),
        Als(factors=8, iterations=15, threads=1, seed=1),
        LightFm(components=16, epochs=30, threads=1, seed=1),
    ],
    ids=lambda recipe: recipe.name,
)
def test_purchases_weigh_more_than_glances_when_a_model_fits(recipe: Recipe) -> None:
    weighed = shop()
    plain = unweighed(weighed)
    with_strengths = evaluate_scorer(recipe.fit(weighed.train, {}), weighed).precision
    without = evaluate_scorer(recipe.fit(plain.train, {}), plain).precision
    assert with_strengths > 1.5 * without, (with_strengths, without)


def test_popularity_counts_strengths() -> None:
    data = Interactions.from_records([("a", "x", 0.0), ("b", "x", 0.0), ("c", "y", 0.0)])
    scorer = ItemPop().fit(data.weighed(np.array([1.0, 1.0, 5.0])), {})
    x, y = scorer.score(np.array([0]))[0]
    assert y > x  # one purchase over two glances
    plain = ItemPop().fit(data, {}).score(np.array([0]))[0]
    assert plain[0] > plain[1]


def test_confidence_keeps_the_scale_regularisation_was_tuned_on() -> None:
    data = Interactions.from_records([("a", "x", 0.0), ("a", "y", 0.0)])
    assert data.confidence() is None
    confidence = data.weighed(np.array([1.0, 3.0])).confidence()
    assert confidence is not None and confidence.tolist() == [0.5, 1.5]
    kept = data.weighed(np.array([1.0, 3.0])).subset(np.array([False, True]))
    assert kept.strengths is not None and kept.strengths.tolist() == [3.0]


@pytest.mark.parametrize(
    ("strengths", "reason"),
    [([1.0], "2 finite numbers"), ([1.0, float("nan")], "finite"), ([1.0, 0.0], "positive")],
)
def test_strengths_that_cannot_weigh_interactions_are_refused(
    strengths: list[float], reason: str
) -> None:
    data = Interactions.from_records([("a", "x", 0.0), ("a", "y", 0.0)])
    with pytest.raises(ValueError, match=reason):
        data.weighed(np.array(strengths))
