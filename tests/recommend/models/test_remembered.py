"""The served model remembers its latest answers: a repeat is not scored again, and what a
viewer just did is never answered from memory."""

from __future__ import annotations

import numpy as np
import pytest

from tests.recommend.models.planted import planted
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.remembered import RememberedModel
from veneer.recommend.models.serving import ServingModel, export

DATA = planted(seed=5)


@pytest.fixture(scope="module")
def model() -> ServingModel:
    recipe = Ease(lam=10.0)
    return export("EASE", {"EASE": recipe.fit(DATA, {})}, {"EASE": recipe}, DATA.item_ids)


class Counting:
    """A model that counts how often it really scores."""

    def __init__(self, model: ServingModel):
        self.model = model
        self.scored = 0

    def recommend(self, *args: object, **kwargs: object) -> object:
        self.scored += 1
        return self.model.recommend(*args, **kwargs)  # type: ignore[arg-type]

    def known_features(self, features: object) -> object:
        return self.model.known_features(features)  # type: ignore[arg-type]


def remembering(model: ServingModel, size: int = 8) -> tuple[RememberedModel, Counting]:
    counting = Counting(model)
    remembered = RememberedModel(model, size)
    remembered.model = counting  # type: ignore[assignment]
    return remembered, counting


def test_the_same_question_is_answered_from_memory_with_the_same_answer(
    model: ServingModel,
) -> None:
    remembered, counting = remembering(model)
    history, weights = ["g0-1", "g0-2"], [2.0, 0.7071067811865476]
    first = remembered.recommend(history, 10, weights=weights)
    again = remembered.recommend(history, 10, weights=[2.0, 0.7071067])  # seconds older
    assert again == first and counting.scored == 1
    assert first == model.recommend(history, 10, weights=[2.0, 0.707])


def test_a_view_just_made_is_a_new_question(model: ServingModel) -> None:
    remembered, counting = remembering(model)
    before = remembered.recommend(["g0-1", "g0-2"], 10)
    after = remembered.recommend(["g1-4", "g0-1", "g0-2"], 10)
    assert counting.scored == 2 and after != before
    assert [s.entry_id for s in after] == [
        s.entry_id for s in model.recommend(["g1-4", "g0-1", "g0-2"], 10)
    ]
    best = remembered.recommend(["g0-1"], 10)[0].entry_id
    assert best not in {s.entry_id for s in remembered.recommend(["g0-1"], 10, skip={best})}


def test_memory_is_bounded_and_forgets_the_least_recently_asked(model: ServingModel) -> None:
    remembered, counting = remembering(model, size=2)
    for item in ("g0-1", "g0-2", "g0-1", "g0-3"):  # g0-2 is the least recently asked
        remembered.recommend([item], 5)
    assert counting.scored == 3
    remembered.recommend(["g0-1"], 5)
    assert counting.scored == 3
    remembered.recommend(["g0-2"], 5)
    assert counting.scored == 4


def test_an_answer_handed_out_cannot_change_what_is_remembered(model: ServingModel) -> None:
    remembered, _ = remembering(model)
    first = remembered.recommend(["g2-1"], 5)
    first.clear()
    assert len(remembered.recommend(["g2-1"], 5)) == 5


def test_a_memory_needs_room_for_one_answer(model: ServingModel) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RememberedModel(model, 0)
    assert len(RememberedModel(model)) == len(np.unique(DATA.items))
