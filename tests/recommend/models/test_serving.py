"""Served from a viewer's history: planted groups are found, reasons name the history, and the
artifact round-trips through bytes without pickles.

The viewers asked about are new ones (not in training): a model only helps viewers it saw
if it cannot follow what a newcomer just did.
"""

from __future__ import annotations

import io

import numpy as np
import orjson
import pytest

from tests.recommend.models.planted import planted
from veneer.recommend.models.als import Als
from veneer.recommend.models.blend import Blend
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.lightfm_model import LightFm
from veneer.recommend.models.recipe import Recipe, Scorer
from veneer.recommend.models.serving import ArtifactError, ServingModel, export

DATA = planted(seed=11)
RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        ItemPop(),
        Ease(lam=10.0),
        Ease(name="EASE-recency", lam=10.0, half_life=1.0),
        LightFm(components=16, epochs=30, threads=1, seed=1),
        Als(factors=8, iterations=10, threads=1, seed=1),
        Blend("EASE+LightFM", (("EASE", 0.5), ("LightFM", 0.5))),
    )
}


@pytest.fixture(scope="module")
def fitted() -> dict[str, Scorer]:
    scorers: dict[str, Scorer] = {}
    for name, recipe in RECIPES.items():
        scorers[name] = recipe.fit(DATA, scorers)
    return scorers


def served(name: str, fitted: dict[str, Scorer]) -> ServingModel:
    model = export(name, fitted, RECIPES, DATA.item_ids)
    return ServingModel.from_bytes(model.to_bytes())


@pytest.mark.parametrize("name", ["EASE", "EASE-recency", "LightFM", "ALS", "EASE+LightFM"])
def test_a_new_viewer_gets_their_groups_shelf(name: str, fitted: dict[str, Scorer]) -> None:
    """Ten results: the group's own shelf and blockbusters everyone takes, never another
    group's shelf, and at least four of the shelf (ItemPop's ten would hold none)."""
    model = served(name, fitted)
    for group in range(4):
        history = [f"g{group}-{i}" for i in (3, 7, 11, 15)]
        top = model.recommend(history, 10)
        assert len(top) == 10
        shelf = [s for s in top if s.entry_id.startswith(f"g{group}-")]
        others = [s for s in top if not s.entry_id.startswith((f"g{group}-", "pop-"))]
        assert len(shelf) >= 4 and not others, (name, group, top)
        assert not {s.entry_id for s in top} & set(history)
        assert all(s.because in history for s in top)
        assert [s.score for s in top] == sorted((s.score for s in top), reverse=True)


def test_what_the_viewer_just_did_moves_the_answer(fitted: dict[str, Scorer]) -> None:
    """Newest first: with a recency half-life, the latest group outweighs a longer past."""
    model = served("EASE-recency", fitted)
    past = [f"g0-{i}" for i in range(6)]
    now = ["g2-1", "g2-2"]

    def shelves(history: list[str]) -> set[str]:
        return {s.entry_id[:3] for s in model.recommend(history, 10)} - {"pop"}

    assert shelves(past) == {"g0-"}
    assert shelves(past + now) == {"g0-"}  # the same views, but g2's longest ago
    assert shelves(now + past) == {"g2-"}


def test_skip_unknown_entries_and_weights(fitted: dict[str, Scorer]) -> None:
    model = served("EASE", fitted)
    history = ["not-trained-on", "g1-0", "g1-1"]
    everything = model.recommend(history, 1000)
    assert "g1-2" in {s.entry_id for s in everything}
    top = model.recommend(history, 1000, skip={"g1-2", "also-unknown"})
    assert [s.entry_id for s in top] == [s.entry_id for s in everything if s.entry_id != "g1-2"]
    assert {s.because for s in top[:10]} <= {"g1-0", "g1-1"}
    # a heavy weight on one history item decides what comes, and the reason
    heavy = model.recommend(["g1-0", "g2-0"], 10, weights=[1.0, 50.0])
    assert {s.entry_id[:3] for s in heavy} - {"pop"} == {"g2-"}
    assert {s.because for s in heavy} == {"g2-0"}


def test_itempop_and_an_empty_history_say_no_because(fitted: dict[str, Scorer]) -> None:
    model = served("ItemPop", fitted)
    top = model.recommend(["g0-1"], 3)
    assert all(s.entry_id.startswith("pop-") and s.because is None for s in top)
    assert [s.entry_id for s in model.recommend([], 3)] == [s.entry_id for s in top]


@pytest.mark.parametrize("name", ["EASE", "ALS", "EASE+LightFM"])
def test_only_what_the_history_speaks_for_comes_back(name: str, fitted: dict[str, Scorer]) -> None:
    """No history the model knows: nothing, so the fallbacks answer. Otherwise only items a
    history item adds to, never the rest of the catalogue in its stored order."""
    model = served(name, fitted)
    assert model.recommend([], 5) == []
    assert model.recommend(["an-entry-published-after-training"], 5) == []
    answered = model.recommend(["g1-0"], 10_000)
    assert answered and all(s.because == "g1-0" for s in answered)


def test_asking_for_more_than_there_is(fitted: dict[str, Scorer]) -> None:
    model = served("ItemPop", fitted)
    everything = model.recommend(["g0-0"], 10_000)
    assert len(everything) == len(DATA.item_ids) - 1
    assert served("ALS", fitted).recommend(["g0-0"], 0) == []


def test_artifacts_are_read_back_exactly_and_refuse_garbage(fitted: dict[str, Scorer]) -> None:
    model = export("EASE+LightFM", fitted, RECIPES, DATA.item_ids)
    again = ServingModel.from_bytes(model.to_bytes())
    assert again.recipe == "EASE+LightFM" and again.item_ids == DATA.item_ids
    for before, after in zip(model.parts, again.parts, strict=True):
        np.testing.assert_array_equal(before.matrix, after.matrix)
        assert (before.kind, before.weight, before.half_life) == (
            after.kind,
            after.weight,
            after.half_life,
        )
    with pytest.raises(ArtifactError, match="not a serving model"):
        ServingModel.from_bytes(b"not an archive")
    with pytest.raises(ArtifactError, match="format 9"):
        ServingModel.from_bytes(_with_format(model.to_bytes(), 9))


def _with_format(data: bytes, version: int) -> bytes:
    """The same archive claiming another format, as a newer Veneer would write it."""
    with np.load(io.BytesIO(data)) as archive:
        arrays = {name: archive[name] for name in archive.files}
    header = orjson.loads(arrays["header"].tobytes()) | {"format": version}
    arrays["header"] = np.frombuffer(orjson.dumps(header), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()
