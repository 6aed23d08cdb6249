"""Discovered segments: the right k on synthetic data, and rules editors can adopt."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from veneer.segments.clustering import Feature, TooFewProfiles, cluster_profiles
from veneer.segments.evaluate import ViewerEvent, ViewerFacts, matches
from veneer.segments.rules import parse_rule

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FEATURES = [Feature.events(e) for e in ("entry_view", "add_to_cart", "purchase")]
# Mean counts in 30 days: browsers, buyers, cart abandoners.
BEHAVIOURS = [(20, 1, 0), (8, 5, 4), (12, 9, 0)]


def _shoppers(rng: np.random.Generator, per_group: int = 120) -> tuple[list[list[int]], list[int]]:
    rows, truth = [], []
    for group, means in enumerate(BEHAVIOURS):
        for _ in range(per_group):
            rows.append([int(rng.poisson(m)) for m in means])
            truth.append(group)
    return rows, truth


def test_the_true_number_of_groups_is_found() -> None:
    points, _ = make_blobs(n_samples=400, centers=4, n_features=2, random_state=3)
    traits = [Feature.numeric_trait("age"), Feature.numeric_trait("basket")]
    found = cluster_profiles(points.tolist(), traits)
    assert found.choice.k == 4
    assert max(found.choice.silhouettes, key=lambda k: found.choice.silhouettes[k]) == 4
    assert sorted(found.choice.inertias) == list(range(2, 9)), "the elbow curve, k = 2..8"
    assert sum(c.size for c in found.clusters) == 400


def test_clusters_are_named_and_their_rules_hold_in_the_live_evaluator() -> None:
    rng = np.random.default_rng(11)
    rows, _ = _shoppers(rng)
    found = cluster_profiles(rows, FEATURES)
    assert found.choice.k == 3
    names = " | ".join(c.name for c in found.clusters)
    assert "frequent buyers" in names and "many entry views" in names

    spread = random.Random(5)
    facts = [
        ViewerFacts(
            {},
            [
                ViewerEvent(feature.event or "", NOW - timedelta(days=spread.uniform(0, 29)))
                for feature, count in zip(FEATURES, row, strict=True)
                for _ in range(count)
            ],
        )
        for row in rows
    ]
    for cluster in found.clusters:
        assert cluster.rule is not None
        rule = parse_rule(cluster.rule)  # an ordinary, editable segment rule
        decided = [matches(rule, f, NOW, lambda _key: False) for f in facts]
        truth = [label == cluster.number for label in found.labels]
        agreement = sum(d == t for d, t in zip(decided, truth, strict=True)) / len(truth)
        assert agreement >= 0.9, (cluster.name, cluster.rule, agreement)
        assert agreement == pytest.approx(cluster.agreement), "the report tells the truth"


def test_too_few_profiles_says_how_many_are_needed() -> None:
    with pytest.raises(TooFewProfiles, match="at least 50 profiles with activity, found 10"):
        cluster_profiles([[1, 2, 3]] * 10, FEATURES)


@pytest.mark.parametrize("method", ["kmeans", "agglomerative"])
def test_many_profiles_choose_k_on_a_sample_and_label_everyone(method: str) -> None:
    points, truth = make_blobs(n_samples=6000, centers=3, n_features=3, random_state=8)
    traits = [Feature.numeric_trait(name) for name in ("a", "b", "c")]

    found = cluster_profiles(points.tolist(), traits, method=method, sample=800)

    assert found.choice.k == 3 and found.choice.profiles == 800, "k chosen on the sample"
    assert len(found.labels) == 6000 and sum(c.size for c in found.clusters) == 6000
    assert adjusted_rand_score(truth, found.labels) > 0.95, "everyone lands with their group"
