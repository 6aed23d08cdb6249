"""The fallback strategies on the sample shop: what each proposes, and why it says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.recommend.shop import entry, index, tags
from veneer.recommend.candidates import CART, VIEW, Candidate, Interaction, Situation
from veneer.recommend.popularity import OVERALL, Popular, Popularity
from veneer.recommend.strategies import (
    NO_CONSENT,
    PopularInSegments,
    Recent,
    SimilarToEntry,
    SimilarToHistory,
    plan,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
POPULAR: Popularity = {
    OVERALL: [Popular("tent-x2", 9.0, 9), Popular("cinder-trail-runner", 5.0, 5)],
    "trail-runners": [Popular("cinder-trail-runner", 4.0, 4), Popular("tent-x2", 1.0, 3)],
    "climbers": [Popular("quickdraw-set-six", 2.0, 3)],
}


def _seen(*ids: str, kind: str = VIEW) -> tuple[Interaction, ...]:
    return tuple(Interaction(i, kind, NOW - timedelta(hours=n)) for n, i in enumerate(ids))


def _ids(candidates: object) -> list[str]:
    assert not isinstance(candidates, str)
    return [c.entry_id for c in candidates]  # type: ignore[attr-defined]


def test_similar_names_the_entry_and_never_proposes_it() -> None:
    found = list(SimilarToEntry(index()).candidates(Situation(NOW, anchor=entry("tent-x2"))))
    assert found and "tent-x2" not in _ids(found)
    assert {c.reason for c in found} == {"similar to *Trailhead X2 Tent*"}
    assert {c.strategy for c in found} == {"similar"}
    assert "camping" in tags(found[0].entry_id)


def test_history_proposes_entries_like_those_viewed_naming_the_one_behind_each() -> None:
    situation = Situation(
        NOW, personal=True, history=_seen("quickdraw-set-six", "rope-care-basics")
    )
    found = list(SimilarToHistory(index()).candidates(situation))
    assert not {"quickdraw-set-six", "rope-care-basics"} & set(_ids(found))
    assert all("climbing" in tags(c) for c in _ids(found)[:3])
    assert found[0].reason in {
        "because you viewed *Crux Quickdraw Set (6-Pack)*",
        "because you viewed *Rope Care Basics*",
    }
    assert {c.strategy for c in found} == {"similar-to-history"}


def test_a_cart_add_says_so_in_the_reason() -> None:
    situation = Situation(NOW, personal=True, history=_seen("emberline-canister-stove", kind=CART))
    found = list(SimilarToHistory(index()).candidates(situation))
    assert found[0].reason == "because you added *Emberline Canister Stove* to your cart"


def test_the_newest_of_the_history_counts_most() -> None:
    newest_climbing = Situation(
        NOW, personal=True, history=_seen("granite-chalk-bag", "kettle-pot-set")
    )
    newest_cooking = Situation(
        NOW, personal=True, history=_seen("kettle-pot-set", "granite-chalk-bag")
    )
    history = SimilarToHistory(index())
    assert "climbing" in tags(_ids(history.candidates(newest_climbing))[0])
    assert "cooking" in tags(_ids(history.candidates(newest_cooking))[0])


def test_next_to_an_entry_it_counts_as_the_newest_thing_viewed() -> None:
    situation = Situation(
        NOW, anchor=entry("tent-x2"), personal=True, history=_seen("quickdraw-set-six")
    )
    found = list(SimilarToHistory(index()).candidates(situation))
    why = {c.entry_id: (c.reason, c.strategy) for c in found}
    assert found[0].strategy == "similar" and tags(found[0].entry_id) & tags("tent-x2")
    assert why["basecamp-55-pack"] == ("similar to *Trailhead X2 Tent*", "similar")
    assert why["rope-care-basics"] == (
        "because you viewed *Crux Quickdraw Set (6-Pack)*",
        "similar-to-history",
    )
    assert "tent-x2" not in why


def test_segment_popularity_names_the_segment_where_an_entry_ranks_highest() -> None:
    situation = Situation(NOW, personal=True, segments=("climbers", "trail-runners"))
    found = list(PopularInSegments(POPULAR).candidates(situation))
    reasons = {c.entry_id: c.reason for c in found}
    assert reasons == {
        "cinder-trail-runner": "popular with `trail-runners`",
        "quickdraw-set-six": "popular with `climbers`",
        "tent-x2": "popular with `trail-runners`",
    }
    assert _ids(found)[-1] == "tent-x2"


def test_recent_proposes_only_what_nobody_engaged_with_newest_first() -> None:
    found = list(Recent(index(), POPULAR).candidates(Situation(NOW)))
    assert not {"tent-x2", "cinder-trail-runner"} & set(_ids(found))
    stamps = [index().items[c.entry_id].updated_at for c in found]
    assert stamps == sorted(stamps, reverse=True)
    assert found[0].reason == "new"


def _names(situation: Situation, **kwargs: object) -> list[str]:
    return [s.name for s in plan(situation, index(), POPULAR, **kwargs)]  # type: ignore[arg-type]


def test_with_consent_the_viewer_comes_first_then_the_entry_then_everyone() -> None:
    situation = Situation(NOW, anchor=entry("tent-x2"), personal=True)
    assert _names(situation) == [
        "similar-to-history",
        "similar",
        "popular-in-segment",
        "popular",
        "recent",
    ]


def test_without_consent_nothing_about_the_viewer_is_used_and_reasons_say_so() -> None:
    situation = Situation(NOW, anchor=entry("tent-x2"))
    assert _names(situation) == ["similar", "popular", "recent"]
    for strategy in plan(situation, index(), POPULAR):
        first = next(iter(strategy.candidates(situation)))
        assert first.reason.endswith(NO_CONSENT), first


class Trained:
    name = "model:v1"

    def candidates(self, situation: Situation) -> list[Candidate]:
        return [Candidate("kettle-pot-set", 0.9, "people like you bought it", self.name)]


def test_a_trained_model_plugs_in_first_and_only_with_consent() -> None:
    personal = Situation(NOW, personal=True)
    assert _names(personal, trained=[Trained()])[:2] == ["model:v1", "similar-to-history"]
    assert "model:v1" not in _names(Situation(NOW), trained=[Trained()])
