"""Exploration: a share of each list from outside the viewer's profile, the same all day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.recommend.shop import index, tags
from veneer.recommend import answer
from veneer.recommend.candidates import VIEW, Candidate, Interaction, Situation
from veneer.recommend.exploration import EXPLORE, REASON, explore, explores, seed_for
from veneer.recommend.popularity import OVERALL, Popular, Popularity
from veneer.recommend.rerank import Filters
from veneer.recommend.strategies import NO_CONSENT

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
POPULAR: Popularity = {OVERALL: [Popular("tent-x2", 9.0, 9), Popular("kettle-pot-set", 5.0, 5)]}
VIEWED = ("quickdraw-set-six", "granite-chalk-bag")
CLIMBER = Situation(NOW, personal=True, history=tuple(Interaction(e, VIEW, NOW) for e in VIEWED))


def _ids(candidates: list[Candidate]) -> list[str]:
    return [c.entry_id for c in candidates]


def _for(situation: Situation, seed: str) -> list[Candidate]:
    """Ten recommendations, one of them exploring."""
    return answer.recommend(situation, index(), POPULAR, first=10, exploration=0.1, seed=seed)


def test_one_position_in_ten_explores_and_a_longer_list_starts_like_a_shorter_one() -> None:
    assert [p for p in range(30) if explores(p, 0.1)] == [9, 19, 29]
    assert [p for p in range(12) if explores(p, 0.25)] == [3, 7, 11]
    assert [p for p in range(5) if explores(p, 1.0)] == [0, 1, 2, 3, 4]
    assert not any(explores(p, 0.0) for p in range(100))


def test_the_tenth_recommendation_is_unlike_anything_the_viewer_viewed() -> None:
    personal = answer.recommend(CLIMBER, index(), POPULAR, first=10)
    for day in range(7):
        picked = _for(CLIMBER, seed_for("climber", NOW + timedelta(days=day)))
        assert _ids(picked[:9]) == _ids(personal[:9])
        tenth = picked[9]
        assert (tenth.strategy, tenth.reason) == (EXPLORE, REASON)
        assert not tags(tenth.entry_id) & {"climbing", "bouldering"}, tenth
        assert tenth.entry_id not in _ids(personal[:9])


def test_a_viewer_gets_the_same_picks_all_day_and_new_ones_on_other_days() -> None:
    morning = seed_for("climber", NOW.replace(hour=0, minute=1))
    night = seed_for("climber", NOW.replace(hour=23, minute=59))
    assert _for(CLIMBER, morning) == _for(CLIMBER, night)
    days = {_for(CLIMBER, seed_for("climber", NOW + timedelta(days=d)))[9] for d in range(10)}
    viewers = {_for(CLIMBER, seed_for(f"viewer-{n}", NOW))[9] for n in range(10)}
    assert len(days) > 1 and len(viewers) > 1


def test_without_consent_everyone_shares_the_days_picks_and_the_reason_says_so() -> None:
    anyone = Situation(NOW)
    picked = _for(anyone, seed_for(None, NOW))
    assert picked[9].strategy == EXPLORE
    assert picked[9].reason == REASON + NO_CONSENT
    assert seed_for(None, NOW) == seed_for(None, NOW + timedelta(hours=5))


def test_picks_keep_to_every_filter_of_the_list() -> None:
    anchor = index().entries["tent-x2"]
    situation = Situation(NOW, anchor=anchor, personal=True, history=CLIMBER.history)
    never = {"summit-lite-1-tent", "cinder-trail-runner"}
    for day in range(5):
        picked = answer.recommend(
            situation,
            index(),
            POPULAR,
            first=5,
            content_types={"product"},
            exclude=never,
            bought={"basecamp-55-pack"},
            passed_over={"fogbank-rain-shell"},
            exploration=1.0,  # every position explores
            seed=seed_for("v", NOW + timedelta(days=day)),
        )
        assert {c.strategy for c in picked} == {EXPLORE}
        # 12 products, less the one on screen, 2 excluded, 1 bought, 1 passed over, 2 viewed
        assert sorted(_ids(picked)) == [
            "driftwood-merino-base-layer",
            "emberline-canister-stove",
            "kettle-pot-set",
            "ledgeline-approach-shoe",
            "switchback-28-daypack",
        ]


def test_only_entries_the_cms_serves_are_drawn() -> None:
    served = Filters(index().items)
    catalogue = ["gone-from-the-cms", *index().items]
    for day in range(5):
        picked = explore(
            [],
            catalogue,
            length=len(catalogue),
            share=1.0,
            seed=seed_for("v", NOW + timedelta(days=day)),
            allows=served.allows,
            topics=index().topics,
        )
        assert sorted(_ids(picked)) == sorted(index().items)


def test_a_share_of_zero_leaves_the_list_as_the_strategies_ranked_it() -> None:
    personal = answer.recommend(CLIMBER, index(), POPULAR, first=12)
    assert answer.recommend(CLIMBER, index(), POPULAR, first=12, seed="s") == personal
    assert EXPLORE not in {c.strategy for c in personal}
