"""Selection sees only training data, and the registry skips what will not fit, saying why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from tests.recommend.models.planted import planted
from veneer.recommend.models.blend import Blend
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.evaluation import Skipped, fit_all
from veneer.recommend.models.experiment import run
from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.itempop import ItemPop, PopularityScorer
from veneer.recommend.models.recipe import Recipe, Scorer
from veneer.recommend.models.selection import best, select, validation_split
from veneer.recommend.models.split import split

DATA = planted(seed=11)


def _pairs(interactions: Interactions) -> set[tuple[int, int]]:
    return set(zip(interactions.users.tolist(), interactions.items.tolist(), strict=True))


@dataclass
class Spy:
    """ItemPop that remembers what it was trained on."""

    name: str = "Spy"
    seen: list[set[tuple[int, int]]] = field(default_factory=list)

    def memory(self, n_users: int, n_items: int) -> int:
        return 0

    def fit(self, train: Interactions, fitted: Mapping[str, Scorer]) -> PopularityScorer:
        self.seen.append(_pairs(train))
        return ItemPop().fit(train, fitted)


@pytest.mark.parametrize("protocol", ["random", "time"])
def test_selection_never_trains_or_measures_on_the_test_split(protocol: str) -> None:
    parts = split(DATA, protocol, seed=42)  # type: ignore[arg-type]
    spy = Spy()
    selection = select([ItemPop(), Ease(lam=10.0), spy], parts.train, protocol, seed=42)  # type: ignore[arg-type]
    (trained_on,) = spy.seen
    assert trained_on < _pairs(parts.train)  # a strict part of training: validation is carved
    assert not trained_on & _pairs(parts.test)
    assert selection.chosen == "EASE"
    assert set(selection.validation) == {"ItemPop", "EASE", "Spy"}


def test_the_validation_split_follows_the_protocol_with_its_own_seed() -> None:
    parts = split(DATA, "time", seed=5)
    validation = validation_split(parts.train, "time", seed=5)
    assert len(validation.test) == sum(int(0.2 * n + 0.5) for n in parts.train.per_user().tolist())
    newest_kept = {}
    for user, stamp in zip(validation.train.users, validation.train.timestamps, strict=True):
        newest_kept[user] = max(stamp, newest_kept.get(user, stamp))
    assert all(
        stamp >= newest_kept.get(user, stamp)
        for user, stamp in zip(validation.test.users, validation.test.timestamps, strict=True)
    )


def test_the_best_is_the_highest_and_the_first_among_equals() -> None:
    assert best({"a": 0.1, "b": 0.3, "c": 0.3}) == "b"
    with pytest.raises(ValueError, match="no candidate"):
        best({})


def test_on_a_catalogue_smaller_than_the_list_the_order_decides() -> None:
    """Eight items: every top 10 holds every held-out item, so precision ties and nDCG,
    which rewards putting the viewer's own group first, must choose."""
    tiny = planted(
        groups=2, items_per_group=3, per_user=3, blockbusters=2, per_user_blockbusters=1, seed=5
    )
    assert tiny.n_items <= 10
    chosen = select([ItemPop(), Ease(lam=1.0)], tiny, "random", seed=42)
    assert chosen.validation["ItemPop"].precision == chosen.validation["EASE"].precision
    assert chosen.validation["EASE"].ndcg > chosen.validation["ItemPop"].ndcg
    assert chosen.chosen == "EASE"


def test_a_model_too_big_for_the_budget_is_skipped_with_its_blends() -> None:
    candidates: list[Recipe] = [
        ItemPop(),
        Ease(),
        Blend("EASE+ItemPop", (("EASE", 0.5), ("ItemPop", 0.5))),
    ]
    items = DATA.n_items
    fitted = fit_all(candidates, split(DATA, "random", 1), budget=2 * items * items * 8)
    assert list(fitted.scorers) == ["ItemPop"]
    assert fitted.skipped == [
        Skipped("EASE", "needs 0.0 GiB for 160 users x 110 items, over the 0.0 GiB budget"),
        Skipped("EASE+ItemPop", "its part EASE was not fitted"),
    ]


def test_a_run_reports_means_over_seeds_and_the_validation_choice() -> None:
    report = run(DATA, "random", [1, 2], lambda seed: [ItemPop(), Ease(lam=10.0)])
    assert report.selected == "EASE"
    assert set(report.models) == {"ItemPop", "EASE"}
    assert report.ratio("EASE") > 1.5
    assert report.ratio("ItemPop") == 1.0
    summary = report.as_json()
    assert summary["protocol"] == "random" and summary["seeds"] == [1, 2]
    assert set(summary["models"]["EASE"]) >= {
        "precision@10",
        "recall@10",
        "ndcg@10",
        "coverage@10",
        "auc",
        "train_s",
    }
    single = [run(DATA, "random", [seed], lambda s: [ItemPop()]) for seed in (1, 2)]
    mean = sum(r.models["ItemPop"]["precision@10"] for r in single) / 2
    assert report.models["ItemPop"]["precision@10"] == pytest.approx(mean)


def test_a_run_needs_the_baseline() -> None:
    with pytest.raises(ValueError, match="must include ItemPop"):
        run(DATA, "random", [1], lambda seed: [Ease()])
