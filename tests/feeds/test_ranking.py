"""A feed's order on the sample shop: the whole catalogue ranked once, pins in their places."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.recommend.shop import index
from veneer.feeds.pins import Pin
from veneer.feeds.ranking import mix, recommended
from veneer.recommend import answer
from veneer.recommend.candidates import Candidate, Situation
from veneer.recommend.popularity import OVERALL, Popular, Popularity

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
POPULAR: Popularity = {OVERALL: [Popular("tent-x2", 9.0, 9), Popular("kettle-pot-set", 5.0, 5)]}


def _ids(candidates: list[Candidate]) -> list[str]:
    return [c.entry_id for c in candidates]


def _recs(*ids: str) -> list[Candidate]:
    return [Candidate(i, 1.0, "popular now", "popular") for i in ids]


def _pin(entry_id: str, position: int, content_type: str = "article") -> Pin:
    return Pin(entry_id, content_type, position)


def test_pins_take_their_positions_and_recommendations_flow_around_them() -> None:
    feed = mix(_recs("r1", "r2", "r3", "r4"), [_pin("p1", 1), _pin("p3", 3)], None, 10)
    assert _ids(feed) == ["p1", "r1", "p3", "r2", "r3", "r4"]
    assert [c.strategy for c in feed][:3] == ["pinned", "popular", "pinned"]
    assert feed[0].reason == "pinned by the editors"


def test_a_pinned_entry_is_listed_once_at_its_position() -> None:
    feed = mix(_recs("r1", "p3", "r2", "r3"), [_pin("p3", 3)], None, 10)
    assert _ids(feed) == ["r1", "r2", "p3", "r3"]


def test_two_pins_for_one_position_take_it_and_the_next() -> None:
    feed = mix(_recs("r1", "r2", "r3"), [_pin("a", 2), _pin("b", 2)], None, 10)
    assert _ids(feed) == ["r1", "a", "b", "r2", "r3"]


def test_pins_past_the_end_of_a_short_feed_come_last() -> None:
    feed = mix(_recs("r1", "r2"), [_pin("far", 40), _pin("farther", 90)], None, 10)
    assert _ids(feed) == ["r1", "r2", "far", "farther"]


def test_only_pins_of_the_content_types_asked_for_are_placed() -> None:
    pins = [_pin("article-pin", 1), _pin("product-pin", 2, "product")]
    assert _ids(mix(_recs("r1"), pins, {"product"}, 10)) == ["r1", "product-pin"]
    assert _ids(mix(_recs("r1"), pins, set(), 10)) == ["r1"]


def test_a_feed_stops_at_its_length_pins_included() -> None:
    feed = mix(_recs("r1", "r2", "r3"), [_pin("p1", 1), _pin("p9", 9)], None, 3)
    assert _ids(feed) == ["p1", "r1", "r2"]
    assert mix(_recs(), [_pin("p1", 1), _pin("p2", 2)], None, 1) == [_pin("p1", 1).candidate()]


def test_without_consent_the_feed_runs_through_the_whole_catalogue_once() -> None:
    catalogue = len(index())
    feed = recommended(Situation(NOW), index(), POPULAR, count=catalogue + 10, diverse=5)
    assert sorted(_ids(feed)) == sorted(index().entries)
    assert _ids(feed)[:2] == ["tent-x2", "kettle-pot-set"]
    assert {c.strategy for c in feed} == {"popular", "recent"}


def test_the_top_is_what_recommendations_would_show_and_the_rest_follows_the_strategies() -> None:
    situation = Situation(NOW)
    feed = recommended(situation, index(), POPULAR, count=len(index()), diverse=6)
    assert feed[:6] == answer.recommend(situation, index(), POPULAR, first=6)
    recent = [item.id for item in index().newest if item.id not in {"tent-x2", "kettle-pot-set"}]
    assert _ids(feed)[6:] == [i for i in recent if i not in _ids(feed)[:6]]


def test_bought_and_passed_over_entries_and_other_types_are_left_out() -> None:
    feed = recommended(
        Situation(NOW),
        index(),
        POPULAR,
        count=100,
        content_types={"product"},
        bought={"tent-x2"},
        passed_over={"kettle-pot-set"},
    )
    products = {i for i, item in index().items.items() if item.content_type == "product"}
    assert set(_ids(feed)) == products - {"tent-x2", "kettle-pot-set"}
    assert len(feed) == len(set(_ids(feed)))


def test_a_short_count_is_all_a_feed_ranks() -> None:
    assert len(recommended(Situation(NOW), index(), POPULAR, count=3)) == 3


@dataclass
class Counting:
    """A trained model's stand-in that counts how often it is asked."""

    proposals: list[str]
    asked: list[int] = field(default_factory=list)
    name: str = "model:v1"

    def candidates(self, situation: Situation) -> Iterator[Candidate]:
        self.asked.append(1)
        for rank, entry_id in enumerate(self.proposals):
            yield Candidate(entry_id, 1.0 / (1 + rank), "because you viewed *X*", self.name)


def test_each_strategy_is_asked_once_for_the_top_and_the_rest() -> None:
    model = Counting(["quickdraw-set-six", "granite-chalk-bag", "rope-care-basics"])
    situation = Situation(NOW, personal=True)
    feed = recommended(situation, index(), POPULAR, count=len(index()), diverse=2, trained=[model])
    assert model.asked == [1]
    assert _ids(feed)[:3] == ["quickdraw-set-six", "granite-chalk-bag", "rope-care-basics"]
    assert {c.strategy for c in feed[:3]} == {"model:v1"}
    assert sorted(_ids(feed)) == sorted(index().entries)


def test_every_tenth_entry_explores_and_the_feed_still_lists_each_entry_once() -> None:
    situation = Situation(NOW)
    plain = recommended(situation, index(), POPULAR, count=len(index()))
    feed = recommended(
        situation, index(), POPULAR, count=len(index()), exploration=0.1, seed="anyone|day"
    )
    assert [n for n, c in enumerate(feed) if c.strategy == "explore"] == [9, 19]
    assert sorted(_ids(feed)) == sorted(index().entries)
    assert _ids(feed)[:9] == _ids(plain)[:9]
    assert feed[9].entry_id not in _ids(plain)[:10]  # moved up from further down


def test_exploration_leaves_pinned_entries_to_their_pins() -> None:
    pinned = set(list(index().entries)[::2])
    for day in range(5):
        feed = recommended(
            Situation(NOW),
            index(),
            POPULAR,
            count=len(index()),
            exploration=1.0,
            seed=f"anyone|{day}",
            pinned=pinned,
        )
        explored = {c.entry_id for c in feed if c.strategy == "explore"}
        assert explored == set(index().entries) - pinned


def test_the_diversity_floor_holds_over_the_top_and_what_made_way_follows_it() -> None:
    climbing = [
        "quickdraw-set-six",
        "granite-chalk-bag",
        "rope-care-basics",
        "your-first-indoor-climbing-session",
        "ledgeline-approach-shoe",
    ]
    model = Counting(climbing)
    situation = Situation(NOW, personal=True)
    feed = recommended(
        situation,
        index(),
        POPULAR,
        count=len(index()),
        diversity_lambda=1.0,
        trained=[model],
        diverse=5,
        diversity_floor=0.2,
    )
    assert _ids(feed)[:6] == [*climbing[:4], "tent-x2", climbing[4]]
    assert sorted(_ids(feed)) == sorted(index().entries)
