"""Each candidate recovers planted group structure that popularity cannot see.

Users in four groups each take 12 of their group's 25 items and 4 of 10 blockbusters;
20% is held out at random. ItemPop can only offer blockbusters (about 4 of a user's held-out
items in 10 are there to find); a model that finds the groups offers the user's own shelf.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from tests.recommend.models.planted import planted
from veneer.recommend.models.als import Als
from veneer.recommend.models.blend import Blend, standardize
from veneer.recommend.models.ease import Ease, item_weights
from veneer.recommend.models.evaluation import evaluate, evaluate_scorer
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.lightfm_model import LightFm
from veneer.recommend.models.recipe import Recipe
from veneer.recommend.models.split import split

DATA = planted(seed=7)
SPLIT = split(DATA, "random", seed=42)
DRIFTING = planted(per_user=16, drift=6, seed=3)
TIME_SPLIT = split(DRIFTING, "time", seed=42)


@pytest.fixture(scope="module")
def results() -> dict[str, float]:
    candidates: list[Recipe] = [
        ItemPop(),
        Ease(lam=10.0),
        LightFm(components=16, epochs=30, threads=1, seed=1),
        Als(factors=8, iterations=10, regularization=0.1, threads=1, seed=1),
        Blend("EASE+LightFM", (("EASE", 0.5), ("LightFM", 0.5))),
    ]
    measured, skipped = evaluate(candidates, SPLIT)
    assert skipped == []
    return {name: figures.precision for name, figures in measured.items()}


@pytest.mark.parametrize("name", ["EASE", "LightFM", "ALS", "EASE+LightFM"])
def test_a_model_finds_the_groups_and_beats_popularity(
    results: dict[str, float], name: str
) -> None:
    assert results[name] > 1.5 * results["ItemPop"], results


def test_itempop_offers_everyone_the_most_interacted_with_items() -> None:
    scorer = ItemPop().fit(SPLIT.train, {})
    scores = scorer.score(np.array([0, 5]))
    assert np.array_equal(scores[0], scores[1])
    assert np.array_equal(scores[0], np.bincount(SPLIT.train.items, minlength=DATA.n_items))


def test_ease_holds_every_item_out_of_its_own_regression() -> None:
    matrix = csr_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]))
    weights = item_weights(matrix, lam=1.0)
    assert np.diag(weights).tolist() == [0.0, 0.0, 0.0]
    # items 0 and 2 co-occur less with each other than each does with item 1
    assert weights[1, 0] > weights[2, 0]


def test_recency_follows_a_user_whose_taste_moved_on() -> None:
    """Each user's latest 6 of 16 shelf items come from the next group's shelf; the time
    protocol holds out 3 of those. Plain EASE keeps recommending the old shelf."""
    plain = evaluate_scorer(Ease(lam=10.0).fit(TIME_SPLIT.train, {}), TIME_SPLIT).precision
    recent = evaluate_scorer(
        Ease(lam=10.0, half_life=3.0).fit(TIME_SPLIT.train, {}), TIME_SPLIT
    ).precision
    assert recent > 1.5 * plain, (recent, plain)


def test_lightfm_takes_item_features_and_a_seed_repeats_a_fit() -> None:
    tags = csr_matrix(
        (
            np.ones(DATA.n_items),
            (np.arange(DATA.n_items), [int(i[1]) if i[0] == "g" else 4 for i in DATA.item_ids]),
        )
    )
    model = LightFm(components=8, epochs=5, threads=1, seed=3, item_features=tags)
    first = model.fit(SPLIT.train, {}).score(np.array([0, 1]))
    again = model.fit(SPLIT.train, {}).score(np.array([0, 1]))
    assert first.shape == (2, DATA.n_items)
    assert np.array_equal(first, again)


def test_lightfm_runs_fewer_epochs_on_a_large_set_to_keep_to_its_budget() -> None:
    model = LightFm(epochs=50, max_updates=15_000_000)
    assert model.epochs_for(80_000) == 50  # MovieLens 100k's training part: all of them
    assert model.epochs_for(1_000_000) == 15
    assert model.epochs_for(100_000_000) == 1


def test_item_features_must_cover_the_catalogue() -> None:
    model = LightFm(epochs=1, threads=1, item_features=csr_matrix(np.ones((3, 2))))
    with pytest.raises(ValueError, match="item_features has 3 rows for 110 items"):
        model.fit(SPLIT.train, {})


def test_a_blend_is_the_weighted_sum_of_its_parts_standardized() -> None:
    fitted = {
        "EASE": Ease(lam=10.0).fit(SPLIT.train, {}),
        "ItemPop": ItemPop().fit(SPLIT.train, {}),
    }
    users = np.array([0, 1, 2])
    blended = Blend("b", (("EASE", 0.25), ("ItemPop", 0.75))).fit(SPLIT.train, fitted)
    expected = 0.25 * standardize(fitted["EASE"].score(users)) + 0.75 * standardize(
        fitted["ItemPop"].score(users)
    )
    assert np.allclose(blended.score(users), expected)
    assert np.allclose(standardize(np.array([[1.0, 3.0], [2.0, 2.0]])), [[-1, 1], [0, 0]])


def test_a_blend_needs_its_parts_fitted_first() -> None:
    with pytest.raises(ValueError, match="blend b needs LightFM fitted first"):
        Blend("b", (("LightFM", 1.0),)).fit(SPLIT.train, {})


def test_each_model_says_what_memory_it_needs() -> None:
    """A dense item-item model grows with items squared; factor models with users + items."""
    assert Ease().memory(100, 50_000) == 3 * 50_000**2 * 8  # 60 GB
    assert LightFm().memory(100_000, 50_000) < 2**30
    assert Als().memory(100_000, 50_000) < 2**30
