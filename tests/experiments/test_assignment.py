"""Assignment: deterministic, weighted, stable when traffic grows, independent across tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scipy.stats import chisquare

from veneer.experiments.assignment import assigned_arms, hashed_arm
from veneer.experiments.definition import ArmSpec, Experiment

NOW = datetime(2026, 12, 1, tzinfo=UTC)
VIEWERS = [f"anon:viewer-{n}" for n in range(20_000)]


def _experiment(key: str = "copy", traffic: float = 1.0, **extra: object) -> Experiment:
    arms = (ArmSpec("control", 0.5, True), ArmSpec("b", 0.3), ArmSpec("c", 0.2))
    return Experiment(key, "purchase", arms, seed="s1", traffic_share=traffic, **extra)  # type: ignore[arg-type]


def test_the_same_viewer_always_gets_the_same_arm() -> None:
    experiment = _experiment()
    assert [hashed_arm(experiment, v) for v in VIEWERS[:50]] == [
        hashed_arm(_experiment(), v) for v in VIEWERS[:50]
    ]


def test_arms_follow_the_weights() -> None:
    experiment = _experiment()
    arms = [hashed_arm(experiment, v) for v in VIEWERS]
    counts = [arms.count(k) for k in ("control", "b", "c")]
    expected = [0.5 * len(VIEWERS), 0.3 * len(VIEWERS), 0.2 * len(VIEWERS)]
    assert chisquare(counts, expected).pvalue > 0.001


def test_raising_traffic_keeps_everyone_enrolled_in_their_arm() -> None:
    low = {v: hashed_arm(_experiment(traffic=0.2), v) for v in VIEWERS}
    high = {v: hashed_arm(_experiment(traffic=0.6), v) for v in VIEWERS}
    enrolled = [v for v, arm in low.items() if arm is not None]
    assert len(enrolled) == pytest.approx(0.2 * len(VIEWERS), rel=0.05)
    assert all(high[v] == low[v] for v in enrolled)
    assert sum(arm is not None for arm in high.values()) == pytest.approx(
        0.6 * len(VIEWERS), rel=0.05
    )


def test_experiments_split_independently() -> None:
    one = [hashed_arm(_experiment("one"), v) == "control" for v in VIEWERS]
    two = [hashed_arm(_experiment("two"), v) == "control" for v in VIEWERS]
    both = sum(a and b for a, b in zip(one, two, strict=True))
    assert both / len(VIEWERS) == pytest.approx(0.25, abs=0.015)  # 0.5 * 0.5
    reseeded = Experiment("one", "purchase", _experiment().arms, seed="s2")
    assert [hashed_arm(reseeded, v) for v in VIEWERS[:200]] != [
        hashed_arm(_experiment("one"), v) for v in VIEWERS[:200]
    ]


def test_a_stored_exposure_wins_over_the_hash_and_only_running_experiments_assign() -> None:
    running = _experiment()
    viewer = next(v for v in VIEWERS if hashed_arm(running, v) == "b")
    assert assigned_arms({"copy": running}, viewer, {"copy": "c"}, NOW) == {"copy": "c"}
    assert assigned_arms({"copy": running}, viewer, {"copy": "gone"}, NOW) == {"copy": "b"}
    later = _experiment(start=NOW + timedelta(days=1))
    assert later.status(NOW) == "scheduled"
    assert assigned_arms({"copy": later}, viewer, {}, NOW) == {}
    ended = _experiment(end=NOW)
    assert ended.status(NOW) == "stopped"
    assert assigned_arms({"copy": ended}, viewer, {"copy": "b"}, NOW) == {}
