"""The champion as a strategy, on the sample shop: it follows behaviour content cannot see.

The planted behaviour pairs entries that share no words or tags (rope care with a rain shell
and a pot set; trail shoes with a winter checklist and a chalk bag), so an answer made of
them comes from the model, not from content similarity.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np

from tests.recommend.shop import entry, index
from veneer.recommend import answer
from veneer.recommend.candidates import CART, VIEW, Candidate, Interaction, Situation
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.lightfm_model import LightFm
from veneer.recommend.models.serving import export
from veneer.recommend.trained import TrainedStrategy, strength
from veneer.recommend.user_features import user_features, viewer_features

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ROPE = ["rope-care-basics", "fogbank-rain-shell", "kettle-pot-set"]
RUNNERS = ["cinder-trail-runner", "winter-camping-checklist", "granite-chalk-bag"]


def _strategy() -> TrainedStrategy:
    rng = np.random.default_rng(3)
    records = []
    for group, shelf in enumerate((ROPE, RUNNERS)):
        for member in range(30):
            taken = rng.choice(len(shelf), 2, replace=False)
            records += [(f"v{group}-{member}", shelf[i], float(n)) for n, i in enumerate(taken)]
    records.append(("v-gone", "an-entry-since-deleted", 0.0))
    records.append(("v-gone", "rope-care-basics", 1.0))
    data = Interactions.from_records(records)
    recipe = Ease(lam=1.0)
    model = export("EASE", {"EASE": recipe.fit(data, {})}, {"EASE": recipe}, data.item_ids)
    return TrainedStrategy(model, 3, index())


def _seen(*ids: str, kind: str = VIEW) -> tuple[Interaction, ...]:
    return tuple(Interaction(i, kind, NOW - timedelta(hours=n)) for n, i in enumerate(ids))


def test_a_view_brings_what_viewers_like_this_one_also_took() -> None:
    found = list(
        _strategy().candidates(Situation(NOW, personal=True, history=_seen("rope-care-basics")))
    )
    assert [c.entry_id for c in found[:2]] in (ROPE[1:], ROPE[:0:-1])
    assert found[0].reason == "because you viewed *Rope Care Basics*"
    assert {c.strategy for c in found} == {"EASE:v3"}
    assert "an-entry-since-deleted" not in {c.entry_id for c in found}
    assert "rope-care-basics" not in {c.entry_id for c in found}


def test_the_entry_on_screen_and_a_cart_add_say_so() -> None:
    situation = Situation(NOW, anchor=entry("cinder-trail-runner"), personal=True)
    found = list(_strategy().candidates(situation))
    assert {c.entry_id for c in found[:2]} == set(RUNNERS[1:])
    assert found[0].reason == "often chosen with *Cinder Trail Runner*"
    carted = Situation(NOW, personal=True, history=_seen("kettle-pot-set", kind=CART))
    first = next(iter(_strategy().candidates(carted)))
    assert first.entry_id in ROPE[:2]
    assert first.reason == "because you added *Kettle Two-Pot Cook Set* to your cart"


def test_nothing_to_go_on_leaves_the_answer_to_the_fallbacks() -> None:
    strategy = _strategy()
    assert list(strategy.candidates(Situation(NOW, personal=True))) == []
    picked = answer.recommend(
        Situation(NOW, personal=True, history=_seen("rope-care-basics")),
        index(),
        {},
        first=6,
        trained=[strategy],
    )
    assert len(picked) == 6
    assert picked[0].strategy == "EASE:v3"
    assert {c.strategy for c in picked[2:]} - {"EASE:v3"}  # others fill after the model


def test_history_weighs_as_training_weighed_it() -> None:
    """Types by their weights, age by the half-life: a month-old view of one group's entry
    gives way to today's of the other, and a type weighing 0 says nothing."""
    fresh = Interaction("cinder-trail-runner", VIEW, NOW - timedelta(hours=1))
    old = Interaction("rope-care-basics", VIEW, NOW - timedelta(days=30))
    strategy = _strategy()
    found = list(strategy.candidates(Situation(NOW, personal=True, history=(fresh, old))))
    assert found[0].entry_id in RUNNERS
    assert found[0].reason == "because you viewed *Cinder Trail Runner*"

    carted = Interaction("rope-care-basics", CART, NOW - timedelta(hours=2))
    viewed = Interaction("cinder-trail-runner", VIEW, NOW - timedelta(hours=1))
    situation = Situation(NOW, personal=True, history=(viewed, carted))
    assert next(iter(strategy.candidates(situation))).entry_id in ROPE
    ignoring_carts = replace(strategy, weights={VIEW: 1.0, CART: 0.0})
    assert next(iter(ignoring_carts.candidates(situation))).entry_id in RUNNERS
    assert strength(VIEW, NOW - timedelta(days=14), NOW, {VIEW: 2.0}, timedelta(days=14)) == 1.0


def _described_newcomer(described: str) -> list[Candidate]:
    """LightFM trained with the shelves' shoppers described by a segment or a trait of
    their group's, for a newcomer described as a climber; nothing at all for ``""``."""
    rng = np.random.default_rng(5)
    records, features = [], {}
    for group, shelf in enumerate((ROPE, RUNNERS)):
        for member in range(30):
            viewer = f"v{group}-{member}"
            features[viewer] = viewer_features(
                [f"climbers-{group}"], {"interests": [f"climbing-{group}"]}
            )
            taken = rng.choice(len(shelf), 2, replace=False)
            records += [(viewer, shelf[i], float(n)) for n, i in enumerate(taken)]
    data = Interactions.from_records(records)
    users = user_features(data.user_ids, features)
    assert users is not None
    recipe = LightFm(
        components=8, epochs=30, threads=1, user_features=users.matrix, feature_names=users.names
    )
    model = export(recipe.name, {recipe.name: recipe.fit(data, {})}, {}, data.item_ids)
    strategy = TrainedStrategy(model, 4, index())
    newcomer = Situation(
        NOW,
        personal=True,
        segments=("climbers-0",) if described == "segment" else (),
        traits={"interests": ["climbing-0"], "age": 41} if described == "trait" else {},
    )
    return list(strategy.candidates(newcomer))


def test_a_viewer_with_no_history_is_served_from_their_segment_and_told_so() -> None:
    found = _described_newcomer("segment")
    assert {c.entry_id for c in found[:3]} == set(ROPE), found
    assert {c.reason for c in found} == {"because you are in `climbers-0`"}


def test_a_viewer_with_no_history_is_served_from_their_traits_and_told_so() -> None:
    found = _described_newcomer("trait")
    assert {c.entry_id for c in found[:3]} == set(ROPE), found
    assert {c.reason for c in found} == {"because of your `interests`: `climbing-0`"}


def test_a_newcomer_with_nothing_about_them_is_left_to_the_fallbacks() -> None:
    assert _described_newcomer("") == []


def test_a_segment_the_model_never_learned_leaves_a_newcomer_to_the_fallbacks() -> None:
    """A champion without segment embeddings (here popularity) has nothing to say about a
    newcomer's segments; its overall favourites must not crowd out their segment's."""
    data = Interactions.from_records([("v", ROPE[0], 0.0), ("w", ROPE[1], 1.0)])
    model = export("ItemPop", {"ItemPop": ItemPop().fit(data, {})}, {}, data.item_ids)
    strategy = TrainedStrategy(model, 5, index())
    assert not list(strategy.candidates(Situation(NOW, personal=True, segments=("climbers",))))
