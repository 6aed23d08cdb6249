"""LightFM with the viewers' segments as user features, on planted groups whose members
share a segment: a viewer it never saw, with no history yet, is served their segment's
shelf, and the reason names the segment."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import orjson
import pytest

from tests.recommend.models.planted import group_of, planted
from veneer.recommend.models.interactions import Interactions
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.lightfm_model import FactorScorer, LightFm
from veneer.recommend.models.recipes import default_candidates
from veneer.recommend.models.serving import ArtifactError, ServingModel, export
from veneer.recommend.models.serving_evaluation import History, measure
from veneer.recommend.user_features import MIN_MEMBERS, reason_for, user_features, viewer_features

SEED = 1


def segments(data: Interactions) -> dict[str, list[str]]:
    return {user: [f"g{group_of(user)}"] for user in data.user_ids}


def trained(data: Interactions, with_segments: bool = True) -> ServingModel:
    users = user_features(data.user_ids, segments(data)) if with_segments else None
    recipe = LightFm(
        name="LightFM-features",
        components=16,
        epochs=30,
        threads=1,
        seed=SEED,
        user_features=None if users is None else users.matrix,
        feature_names=() if users is None else users.names,
    )
    fitted = {recipe.name: recipe.fit(data, {})}
    model = export(recipe.name, fitted, {recipe.name: recipe}, data.item_ids)
    return ServingModel.from_bytes(model.to_bytes())


def test_a_segment_is_a_feature_once_three_trained_viewers_hold_it() -> None:
    users = ("a", "b", "c", "d")
    held = {"a": ["campers", "few"], "b": ["campers", "few"], "c": ["campers"], "d": []}
    features = user_features(users, held)
    assert features is not None and features.names == ("campers",)
    assert features.matrix.toarray().tolist() == [[1.0], [1.0], [1.0], [0.0]]
    assert features.as_params() == {"used": True, "features": {"campers": 3}}
    assert MIN_MEMBERS == 3
    assert user_features(users, {"a": ["few"], "b": ["few"]}) is None


def test_a_viewer_with_no_history_is_served_their_segments_shelf() -> None:
    data = planted(seed=SEED)
    model = trained(data)

    top = model.recommend([], 10, features=["g1"])

    assert sum(s.entry_id.startswith("g1-") for s in top) >= 8, top
    assert not any(s.entry_id.startswith(("g0-", "g2-", "g3-")) for s in top), top
    assert {s.feature for s in top} == {"g1"} and {s.because for s in top} == {None}
    assert model.recommend([], 10, features=["not-trained"]) == []
    assert trained(data, with_segments=False).recommend([], 10, features=["g1"]) == []


def test_history_and_segment_together_name_whichever_weighs_more() -> None:
    data = planted(seed=SEED)
    model = trained(data)

    top = model.recommend(["g2-1", "g2-4", "g2-7"], 10, features=["g2"])

    assert sum(s.entry_id.startswith("g2-") for s in top) >= 8, top
    assert all(s.because in {"g2-1", "g2-4", "g2-7"} or s.feature == "g2" for s in top)
    assert any(s.because is not None for s in top)


def test_measured_as_served_segments_lift_viewers_with_no_history_above_popularity() -> None:
    data = planted(seed=SEED)
    model = trained(data)
    popular = export("ItemPop", {"ItemPop": ItemPop().fit(data, {})}, {}, data.item_ids)
    newcomers = {f"new-{g}": {f"g{g}-{i}" for i in range(25)} for g in range(4)}
    empty = {viewer: History((), (), (f"g{viewer[-1]}",)) for viewer in newcomers}

    with_segments = measure(model, empty, newcomers)["precision@10"]

    assert with_segments >= 0.8
    assert measure(popular, empty, newcomers)["precision@10"] == 0.0
    assert measure(model, {}, newcomers)["precision@10"] == 0.0  # the same viewers, no segments


def test_the_features_candidate_runs_with_segments_alone() -> None:
    data = planted(seed=SEED)
    users = user_features(data.user_ids, segments(data))
    names = [c.name for c in default_candidates(SEED, user_features=users)]
    assert "LightFM-features" in names


def test_the_segment_embeddings_round_trip_and_older_artifacts_still_read() -> None:
    data = planted(seed=SEED)
    users = user_features(data.user_ids, segments(data))
    assert users is not None
    recipe = LightFm(
        components=8, epochs=2, threads=1, user_features=users.matrix, feature_names=users.names
    )
    scorer = recipe.fit(data, {})
    assert isinstance(scorer, FactorScorer) and scorer.feature_factors is not None
    model = ServingModel.from_bytes(
        export(recipe.name, {recipe.name: scorer}, {recipe.name: recipe}, data.item_ids).to_bytes()
    )
    (part,) = model.parts
    assert part.features == users.names
    assert np.array_equal(part.feature_matrix, scorer.feature_factors)
    assert part.user_norm == scorer.user_norm > 0

    # What an earlier Veneer wrote: format 1, no segments in the header or the archive.
    header = {
        "format": 1,
        "recipe": "LightFM",
        "items": list(data.item_ids),
        "parts": [{"kind": "factors", "weight": 1.0, "half_life": None}],
    }
    buffer = io.BytesIO()
    np.savez(
        buffer,
        header=np.frombuffer(orjson.dumps(header), dtype=np.uint8),
        matrix0=part.matrix,
        bias0=part.bias,
    )
    older = ServingModel.from_bytes(buffer.getvalue())
    assert older.parts[0].features == () and older.recommend(["g1-0"], 5)


def test_a_model_without_segments_is_written_in_the_layout_older_versions_read() -> None:
    data = planted(seed=SEED)
    plain = trained(data, with_segments=False)
    header = np.load(io.BytesIO(plain.to_bytes()))["header"].tobytes()
    assert orjson.loads(header)["format"] == 1
    assert plain.known_features(["g1"]) == ()
    assert trained(data).known_features(["g3", "g1", "elsewhere"]) == ("g1", "g3")


def test_feature_factors_that_do_not_fit_their_names_are_refused() -> None:
    data = planted(seed=SEED)
    (part,) = trained(data).parts
    broken = replace(part, feature_matrix=part.feature_matrix[:2])
    with pytest.raises(ArtifactError, match="names 4 user features"):
        ServingModel("LightFM-features", data.item_ids, (broken,))


def test_a_viewer_is_described_by_segments_and_the_traits_a_model_can_learn() -> None:
    traits = {
        "interests": ["camping", "climbing", 3],
        "experience": "beginner",
        "newsletter": True,
        "age": 41,  # numbers would need bins
        "bio": "x" * 65,  # free text is nobody's feature
        "nickname": "",
    }
    assert viewer_features(["campers"], traits) == {
        "segment:campers",
        "trait:interests=camping",
        "trait:interests=climbing",
        "trait:experience=beginner",
        "trait:newsletter=true",
    }
    assert reason_for("segment:campers") == "because you are in `campers`"
    assert reason_for("trait:experience=beginner") == "because of your `experience`: `beginner`"
