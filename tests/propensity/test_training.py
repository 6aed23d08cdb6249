"""Training on shoppers with a planted pattern finds it, says how well, and calibrates."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from tests.propensity.shoppers import shoppers
from veneer.propensity import training
from veneer.propensity.evaluation import calibration_table, evaluate
from veneer.propensity.features import propensity_features
from veneer.propensity.training import (
    TooFewExamples,
    Trained,
    dumps,
    fit_propensity,
    loads,
    predict,
)
from veneer.segments.behaviour import measure

CUTOFF = datetime(2026, 6, 1, tzinfo=UTC)
FEATURES = propensity_features("30d")


def _matrix(count: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    made = shoppers(count, CUTOFF, seed)
    rows = np.asarray([measure(s.before, FEATURES, CUTOFF) for s in made])
    return rows, np.asarray([s.bought for s in made]), np.asarray([s.keen for s in made])


@pytest.fixture(scope="module")
def trained() -> Trained:
    rows, bought, _keen = _matrix(900)
    return fit_propensity(rows, bought, "purchase", seed=1)


def test_the_model_ranks_those_about_to_buy_above_the_rest_on_held_out_viewers(
    trained: Trained,
) -> None:
    assert trained.held_out.auc > 0.75
    assert set(trained.candidates) == {"logistic", "gradient-boosting"}
    assert trained.candidates[trained.kind] == max(trained.candidates.values())
    assert trained.held_out.viewers == 270 and trained.viewers == 900
    assert trained.held_out.brier < trained.held_out.brier_of_base_rate


def test_new_keen_shoppers_score_higher_and_scores_are_probabilities(trained: Trained) -> None:
    fresh, fresh_bought, keen = _matrix(600, seed=99)  # shoppers the model never saw
    scores = np.asarray(predict(trained.estimator, fresh))
    assert scores[keen].mean() > scores[~keen].mean() + 0.3
    assert abs(scores.mean() - fresh_bought.mean()) < 0.06, "calibrated: as many as it says"
    assert ((scores >= 0) & (scores <= 1)).all()
    on_fresh = evaluate(list(scores), fresh_bought.astype(int))
    no_skill = evaluate([float(fresh_bought.mean())] * len(fresh_bought), fresh_bought.astype(int))
    assert on_fresh.auc > 0.75 and no_skill.auc == 0.5
    assert on_fresh.brier < no_skill.brier - 0.03, "beats giving everyone the base rate"


def test_the_held_out_calibration_table_covers_every_held_out_viewer(trained: Trained) -> None:
    table = trained.held_out.calibration
    assert len(table) == 10 and sum(b.viewers for b in table) == 270
    assert [b.predicted for b in table] == sorted(b.predicted for b in table)
    assert table[-1].observed > table[0].observed + 0.3


def test_calibration_bins_hold_equal_counts_in_score_order() -> None:
    table = calibration_table([0.9, 0.1, 0.2, 0.8, 0.5], [1, 0, 0, 1, 0], bins=2)
    assert [(b.viewers, b.observed) for b in table] == [(3, 0.0), (2, 1.0)]
    assert table[0].predicted == pytest.approx(0.8 / 3) and (table[1].low, table[1].high) == (
        0.8,
        0.9,
    )


def test_training_is_deterministic_and_the_stored_model_scores_the_same() -> None:
    rows, bought, _ = _matrix(300)
    one = fit_propensity(rows, bought, "purchase", seed=3)
    two = fit_propensity(rows, bought, "purchase", seed=3)
    assert predict(one.estimator, rows[:20]) == predict(two.estimator, rows[:20])
    assert predict(loads(dumps(one.estimator)), rows[:20]) == predict(one.estimator, rows[:20])


def test_too_few_buyers_or_non_buyers_is_refused_with_the_counts() -> None:
    rows, _, _ = _matrix(100)
    labels = np.zeros(100, dtype=int)
    labels[:5] = 1
    with pytest.raises(TooFewExamples) as refused:
        fit_propensity(rows, labels, "purchase")
    assert "5 viewer(s) sent purchase" in str(refused.value)
    assert "95 did not" in str(refused.value) and "at least 20" in str(refused.value)
    with pytest.raises(TooFewExamples):
        fit_propensity(rows, 1 - labels, "purchase")


def test_the_held_out_figures_come_from_the_calibration_that_is_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1,200 viewers: the stored model is isotonic, though the 840 fitted for the held-out
    figures are fewer than ``ISOTONIC_FROM``."""
    used: list[str] = []
    real = training._candidate

    def recorded(kind: training.Kind, calibration: str, seed: int) -> object:
        used.append(calibration)
        return real(kind, calibration, seed)

    monkeypatch.setattr(training, "_candidate", recorded)
    rows, bought, _keen = _matrix(1_200)

    found = fit_propensity(rows, bought, "purchase", seed=1)

    assert found.calibration == "isotonic"
    assert used == ["isotonic"] * 3  # both kinds on the split, then the stored one
