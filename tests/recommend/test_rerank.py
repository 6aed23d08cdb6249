"""Re-ranking: what may never be recommended, diversity by MMR, and filling from the next."""

from __future__ import annotations

from collections.abc import Iterator

from tests.recommend.shop import index
from veneer.recommend.candidates import Candidate
from veneer.recommend.rerank import Filters, rerank


def _proposed(strategy: str, *ids: str) -> list[Candidate]:
    return [Candidate(i, 1.0 - n / 100, strategy, strategy) for n, i in enumerate(ids)]


def _ids(chosen: list[Candidate]) -> list[str]:
    return [c.entry_id for c in chosen]


LIVE = Filters(index().items)


def test_an_entry_is_listed_once_under_the_first_strategy_that_proposed_it() -> None:
    chosen = rerank(
        [
            _proposed("a", "tent-x2", "kettle-pot-set"),
            _proposed("b", "kettle-pot-set", "quickdraw-set-six"),
        ],
        LIVE,
        3,
        index().pairwise,
        diversity_lambda=1.0,
    )
    assert [(c.entry_id, c.strategy) for c in chosen] == [
        ("tent-x2", "a"),
        ("kettle-pot-set", "a"),
        ("quickdraw-set-six", "b"),
    ]


def test_never_lists_what_is_ruled_out_or_not_served_or_of_another_type() -> None:
    filters = Filters(index().items, content_types={"product"}, never={"tent-x2", "kettle-pot-set"})
    proposed = _proposed(
        "a",
        "tent-x2",
        "gone-from-the-cms",
        "rope-care-basics",
        "kettle-pot-set",
        "quickdraw-set-six",
    )
    assert _ids(rerank([proposed], filters, 5, index().pairwise)) == ["quickdraw-set-six"]


def test_later_strategies_run_only_when_earlier_ones_run_short() -> None:
    ran: list[str] = []

    def lazily() -> Iterator[list[Candidate]]:
        for name, ids in (("a", ["tent-x2", "kettle-pot-set"]), ("b", ["quickdraw-set-six"])):
            ran.append(name)
            yield _proposed(name, *ids)

    assert _ids(rerank(lazily(), LIVE, 2, index().pairwise)) == ["tent-x2", "kettle-pot-set"]
    assert ran == ["a"]


def test_mmr_lets_a_different_entry_past_a_near_copy_of_one_already_chosen() -> None:
    # Two trail-running entries lead, a climbing one is nearly as relevant.
    proposed = [
        Candidate("cinder-trail-runner", 1.0, "r", "s"),
        Candidate("choosing-trail-running-shoes", 0.95, "r", "s"),
        Candidate("granite-chalk-bag", 0.9, "r", "s"),
    ]
    by_relevance = rerank([proposed], LIVE, 2, index().pairwise, diversity_lambda=1.0)
    diverse = rerank([proposed], LIVE, 2, index().pairwise, diversity_lambda=0.5)
    assert _ids(by_relevance) == ["cinder-trail-runner", "choosing-trail-running-shoes"]
    assert _ids(diverse) == ["cinder-trail-runner", "granite-chalk-bag"]


def test_diversity_also_weighs_what_an_earlier_strategy_chose() -> None:
    chosen = rerank(
        [
            _proposed("a", "cinder-trail-runner"),
            [
                Candidate("choosing-trail-running-shoes", 1.0, "b", "b"),
                Candidate("granite-chalk-bag", 0.9, "b", "b"),
            ],
        ],
        LIVE,
        2,
        index().pairwise,
        diversity_lambda=0.5,
    )
    assert _ids(chosen) == ["cinder-trail-runner", "granite-chalk-bag"]


def test_nothing_proposed_is_an_empty_list() -> None:
    assert rerank([[], []], LIVE, 5, index().pairwise) == []


def test_a_model_scoring_below_zero_keeps_its_order() -> None:
    """Scores shifted below zero mean what they meant above it: the order decides."""

    def scored(offset: float) -> list[Candidate]:
        return [
            Candidate(entry, score + offset, "m", "m")
            for entry, score in (
                ("tent-x2", 3.0),
                ("kettle-pot-set", 2.9),
                ("quickdraw-set-six", 0.5),
                ("fogbank-rain-shell", 0.1),
            )
        ]

    above = rerank([scored(0.0)], LIVE, 2, index().pairwise, diversity_lambda=0.9)
    below = rerank([scored(-10.0)], LIVE, 2, index().pairwise, diversity_lambda=0.9)
    assert _ids(above) == _ids(below) == ["tent-x2", "kettle-pot-set"]
