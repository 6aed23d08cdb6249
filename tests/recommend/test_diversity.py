"""The diversity floor: no topic takes more than its share of a list, as far as candidates allow."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from tests.recommend.shop import index, tags
from veneer.recommend import answer
from veneer.recommend.candidates import Candidate, Situation
from veneer.recommend.content_index import topics_of
from veneer.recommend.diversity import diversify
from veneer.recommend.popularity import OVERALL, Popular, Popularity

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
POPULAR: Popularity = {OVERALL: [Popular("tent-x2", 9.0, 9), Popular("kettle-pot-set", 5.0, 5)]}
CLIMBING = [
    "quickdraw-set-six",
    "granite-chalk-bag",
    "rope-care-basics",
    "your-first-indoor-climbing-session",
    "ledgeline-approach-shoe",
]
TOPICS = {
    **{f"climb-{n}": frozenset({"climbing"}) for n in range(7)},
    "stove": frozenset({"camping", "cooking"}),
    "shell": frozenset({"hiking"}),
}


def _proposed(*ids: str) -> list[Candidate]:
    return [Candidate(i, 1.0 - n / 100, "r", "s") for n, i in enumerate(ids)]


def _climbs(count: int) -> list[Candidate]:
    return _proposed(*[f"climb-{n}" for n in range(count)])


def _ids(candidates: list[Candidate]) -> list[str]:
    return [c.entry_id for c in candidates]


def test_the_lowest_ranked_entries_of_a_crowding_topic_make_way_for_other_topics() -> None:
    varied = diversify(_climbs(5), _proposed("climb-5", "stove", "shell"), TOPICS, 0.2)
    assert _ids(varied) == ["climb-0", "climb-1", "climb-2", "climb-3", "stove"]


def test_a_higher_floor_lets_a_topic_take_less() -> None:
    ranked = _proposed("climb-0", "climb-1", "climb-2", "stove", "climb-3", "climb-4")
    varied = diversify(ranked, _proposed("climb-5", "shell"), TOPICS, 0.5)
    # At most 3 of 6 climbing: the reserve has one other entry, so one climb comes back.
    assert _ids(varied) == ["climb-0", "climb-1", "climb-2", "stove", "shell", "climb-3"]


def test_a_list_stays_full_when_nothing_else_is_left_to_propose() -> None:
    assert _ids(diversify(_climbs(5), _proposed("climb-5"), TOPICS, 0.2)) == _ids(_climbs(5))


def test_short_lists_and_a_floor_of_zero_are_left_alone_without_reading_further() -> None:
    read: list[str] = []

    def reserve() -> Iterator[Candidate]:
        for candidate in _proposed("stove", "shell"):
            read.append(candidate.entry_id)
            yield candidate

    assert _ids(diversify(_climbs(4), reserve(), TOPICS, 0.2)) == _ids(_climbs(4))  # 4 x 0.2 < 1
    assert _ids(diversify(_climbs(6), reserve(), TOPICS, 0.0)) == _ids(_climbs(6))
    assert read == []


def test_an_untagged_entry_counts_under_its_content_type() -> None:
    assert topics_of("recipe", ()) == {"recipe"}
    assert topics_of("product", ("climbing", "gear")) == {"climbing", "gear"}
    assert index().topics["quickdraw-set-six"] == {"climbing"}


@dataclass(frozen=True)
class Climbing:
    """A trained model's stand-in that has learnt nothing but climbing."""

    name: str = "model:v1"

    def candidates(self, situation: Situation) -> list[Candidate]:
        return [Candidate(e, 1.0 - n / 10, "because", self.name) for n, e in enumerate(CLIMBING)]


def _recommend(floor: float) -> list[Candidate]:
    return answer.recommend(
        Situation(NOW, personal=True),
        index(),
        POPULAR,
        first=5,
        diversity_lambda=1.0,
        trained=[Climbing()],
        diversity_floor=floor,
    )


def test_recommendations_for_a_one_topic_model_keep_one_in_five_for_another_topic() -> None:
    assert all("climbing" in tags(i) for i in _ids(_recommend(0.0)))

    varied = _recommend(0.2)

    assert _ids(varied)[:4] == CLIMBING[:4]
    assert "climbing" not in tags(varied[4].entry_id)
    assert varied[4].strategy == "popular" and varied[4].entry_id == "tent-x2"
