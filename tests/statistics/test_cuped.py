"""CUPED from sums, checked against the rows the sums came from: regression and adjusted values."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
import statsmodels.api as sm

from veneer.statistics.cuped import Sums, adjust

Rows = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]


def _viewers(seed: int, correlated: bool, sizes: tuple[int, ...] = (4000, 3600)) -> list[Rows]:
    """Per-viewer (covariate, metric) rows for each arm: last month's spend and this month's,
    which depends on it when ``correlated``; the second arm spends 2 more on average."""
    rng = np.random.default_rng(seed)
    arms = []
    for index, users in enumerate(sizes):
        before = rng.gamma(2.0, 15.0, users)
        noise = rng.normal(0.0, 12.0, users)
        after = (0.9 * before if correlated else rng.gamma(2.0, 15.0, users)) + noise
        arms.append((before, after + 2.0 * index))
    return arms


def _sums(rows: list[Rows]) -> list[Sums]:
    return [
        Sums(len(y), float(y.sum()), float((y * y).sum()), float(x.sum()), float((x * x).sum()),
             float((x * y).sum()))
        for x, y in rows
    ]  # fmt: skip


def test_the_adjusted_difference_is_the_arm_coefficient_of_the_regression_on_centred_x() -> None:
    rows = _viewers(seed=7, correlated=True)
    result = adjust(_sums(rows))

    x = np.concatenate([x for x, _ in rows])
    y = np.concatenate([y for _, y in rows])
    treated = np.concatenate([np.full(len(y), float(i)) for i, (_, y) in enumerate(rows)])
    design = sm.add_constant(np.column_stack([treated, x - x.mean()]))
    fitted = sm.OLS(y, design).fit()
    control, arm = result.samples
    assert arm.mean - control.mean == pytest.approx(fitted.params[1], abs=1e-6)
    assert control.mean == pytest.approx(fitted.params[0], abs=1e-6)
    assert result.theta == pytest.approx(fitted.params[2], abs=1e-6)


def test_each_arm_gets_the_mean_and_variance_of_its_adjusted_values() -> None:
    rows = _viewers(seed=11, correlated=True, sizes=(900, 1100, 1000))
    result = adjust(_sums(rows))

    overall = np.concatenate([x for x, _ in rows]).mean()
    for (x, y), sample in zip(rows, result.samples, strict=True):
        adjusted = y - result.theta * (x - overall)
        assert sample.users == len(y)
        assert sample.mean == pytest.approx(adjusted.mean(), abs=1e-6)
        assert sample.variance == pytest.approx(adjusted.var(ddof=1), rel=1e-6)

    within = [(x - x.mean(), y - y.mean()) for x, y in rows]
    dx = np.concatenate([d for d, _ in within])
    dy = np.concatenate([d for _, d in within])
    assert result.variance_reduction == pytest.approx(np.corrcoef(dx, dy)[0, 1] ** 2, abs=1e-6)


def test_a_correlated_covariate_shrinks_the_variance_an_unrelated_one_changes_nothing() -> None:
    for seed in range(3):
        rows = _viewers(seed, correlated=True)
        plain = [float(y.var(ddof=1)) for _, y in rows]
        result = adjust(_sums(rows))
        assert result.variance_reduction > 0.6
        assert all(s.variance < 0.45 * v for s, v in zip(result.samples, plain, strict=True))

        rows = _viewers(seed, correlated=False)
        result = adjust(_sums(rows))
        assert result.variance_reduction < 0.005
        for (_, y), sample in zip(rows, result.samples, strict=True):
            standard_error = float(y.std(ddof=1)) / np.sqrt(len(y))
            assert abs(sample.mean - y.mean()) < 0.1 * standard_error
            assert sample.variance == pytest.approx(float(y.var(ddof=1)), rel=0.01)


def test_no_covariate_spread_or_no_viewers_leaves_the_means_alone() -> None:
    constant = Sums(3, 6.0, 14.0, 3.0, 3.0, 6.0)  # x is 1 for everyone
    result = adjust([constant, Sums(0, 0.0, 0.0, 0.0, 0.0, 0.0)])
    assert result.theta == 0.0 and result.variance_reduction == 0.0
    assert result.samples[0].mean == 2.0 and result.samples[0].variance == pytest.approx(1.0)
    assert result.samples[1].users == 0
