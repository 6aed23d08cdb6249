"""Segments discovered from behaviour, described so editors can read and adopt them.

Profiles become vectors of behavioural features (`veneer.segments.behaviour`: events of
each type, sessions, recency, tag affinities, numeric traits). Features are scaled, k-means
(or agglomerative clustering) is fitted for a range of k, and k is chosen by silhouette
score, with the inertia (elbow) curve kept for the report. Each cluster gets a name from
its centroid and an **editable rule**: a shallow decision tree fitted to "in this cluster or
not" over the features rules can say, turned into segment rule JSON whose conditions are
the features' own (event counts in a window, recency, tag views, trait thresholds), with the
share of profiles on which rule and cluster agree. Pure: a feature matrix in, plain data out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from veneer.segments.behaviour import Feature

if TYPE_CHECKING:
    from sklearn.tree import DecisionTreeClassifier

# scikit-learn is imported where it is used: it takes seconds to load, and every command,
# the worker and the app import this module, while only a clustering run fits anything.

MIN_PROFILES = 50  # below this, clusters describe noise
K_RANGE = range(2, 9)
# Choosing k fits every candidate, and silhouettes and agglomerative clustering grow with
# the square of the profiles: they look at a random sample, and k-means' final fit at all.
K_SAMPLE = 20_000
SILHOUETTE_SAMPLE = 5_000
AGGLOMERATIVE_SAMPLE = 5_000


class TooFewProfiles(ValueError):
    def __init__(self, found: int, needed: int):
        super().__init__(
            f"clustering needs at least {needed} profiles with activity, found {found}"
        )


@dataclass(frozen=True)
class KChoice:
    k: int
    silhouettes: dict[int, float]
    inertias: dict[int, float]  # the elbow curve (k-means only)
    profiles: int = 0  # how many profiles the choice looked at (a sample of large sets)


@dataclass(frozen=True)
class Cluster:
    number: int
    size: int
    name: str
    description: str
    centroid: dict[str, float]  # in the features' own units
    rule: dict[str, Any] | None  # None when no shallow rule singles the cluster out
    agreement: float  # share of profiles where the rule and the cluster agree


@dataclass(frozen=True)
class Clustering:
    features: tuple[Feature, ...]
    choice: KChoice
    labels: list[int]
    clusters: list[Cluster]
    mean: list[float]  # the scaling, for assigning new viewers later
    scale: list[float]


def _fit(scaled: np.ndarray, k: int, method: str, seed: int) -> tuple[np.ndarray, float | None]:
    from sklearn.cluster import AgglomerativeClustering, KMeans

    if method == "agglomerative":
        return AgglomerativeClustering(n_clusters=k).fit_predict(scaled), None
    model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(scaled)
    return model.labels_, float(model.inertia_)


def choose_k(
    scaled: np.ndarray, ks: Sequence[int] = K_RANGE, method: str = "kmeans", seed: int = 0
) -> KChoice:
    from sklearn.metrics import silhouette_score

    silhouettes: dict[int, float] = {}
    inertias: dict[int, float] = {}
    for k in ks:
        if k >= len(scaled):
            break
        labels, inertia = _fit(scaled, k, method, seed)
        if len(set(labels)) < 2:
            continue
        sample = SILHOUETTE_SAMPLE if len(scaled) > SILHOUETTE_SAMPLE else None
        silhouettes[k] = float(
            silhouette_score(scaled, labels, sample_size=sample, random_state=seed)
        )
        if inertia is not None:
            inertias[k] = inertia
    if not silhouettes:
        raise TooFewProfiles(len(scaled), MIN_PROFILES)
    best = max(silhouettes, key=lambda k: silhouettes[k])
    return KChoice(best, silhouettes, inertias, len(scaled))


def _sample(rows: int, size: int, seed: int) -> np.ndarray:
    """Row indices of a random sample of ``size`` rows (all of them if there are fewer)."""
    if rows <= size:
        return np.arange(rows)
    return np.sort(np.random.default_rng(seed).choice(rows, size, replace=False))


def _label_all(
    scaled: np.ndarray, chosen: np.ndarray, k: int, method: str, seed: int
) -> np.ndarray:
    """Every profile's cluster: k-means fitted on all of them; agglomerative clustering on
    the ``chosen`` sample, with the rest joining the nearest of its clusters' centres."""
    from sklearn.metrics import pairwise_distances_argmin

    if method == "kmeans":
        return _fit(scaled, k, method, seed)[0]
    labels, _ = _fit(scaled[chosen], k, method, seed)
    if len(chosen) == len(scaled):
        return labels
    centres = np.asarray([scaled[chosen][labels == n].mean(axis=0) for n in range(k)])
    nearest: np.ndarray = pairwise_distances_argmin(scaled, centres)  # in chunks
    return nearest


def _describe(z: np.ndarray, features: Sequence[Feature]) -> tuple[str, str]:
    """Name from the two most distinctive features; description from all notable ones."""
    words = [
        said
        for i in np.argsort(-np.abs(z))
        if abs(z[i]) >= 0.5 and (said := features[i].words(bool(z[i] > 0))) is not None
    ]
    if not words:
        return "typical profiles", "close to the average on every feature"
    return ", ".join(words[:2]), "; ".join(words)


def _tree_rule(tree: DecisionTreeClassifier, features: Sequence[Feature]) -> dict[str, Any] | None:
    """The tree's paths to 'in the cluster' leaves, as segment rule JSON.

    Splits on the same feature along a path are merged into one range, so a path reads
    "2 to 5 cart adds" rather than two conditions.
    """
    inner = tree.tree_
    paths: list[list[dict[str, Any]]] = []

    def walk(node: int, bounds: dict[int, tuple[float | None, float | None]]) -> None:
        left, right = inner.children_left[node], inner.children_right[node]
        if left == right:  # a leaf
            if np.argmax(inner.value[node][0]) == 1 and tree.classes_[1]:
                conditions = [
                    c
                    for index, (low, high) in sorted(bounds.items())
                    for c in features[index].between(low, high)
                ]
                paths.append(conditions)
            return
        index, threshold = int(inner.feature[node]), float(inner.threshold[node])
        low, high = bounds.get(index, (None, None))
        tighter_high = threshold if high is None else min(high, threshold)
        tighter_low = threshold if low is None else max(low, threshold)
        walk(left, {**bounds, index: (low, tighter_high)})
        walk(right, {**bounds, index: (tighter_low, high)})

    walk(0, {})
    rules = [p[0] if len(p) == 1 else {"all": p} for p in paths if p]
    if not rules:
        return None
    return rules[0] if len(rules) == 1 else {"any": rules}


def _rule_for(
    raw: np.ndarray, members: np.ndarray, features: Sequence[Feature], depth: int, seed: int
) -> tuple[dict[str, Any] | None, float]:
    """A shallow tree over the features rules can say, as a rule, and how often it agrees."""
    from sklearn.tree import DecisionTreeClassifier

    sayable = [i for i, f in enumerate(features) if f.in_rules]
    if not sayable:
        return None, 0.0
    columns = raw[:, sayable]
    tree = DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(columns, members)
    rule = _tree_rule(tree, [features[i] for i in sayable])
    return rule, float((tree.predict(columns) == members).mean()) if rule else 0.0


def cluster_profiles(
    matrix: Sequence[Sequence[float]] | np.ndarray,
    features: Sequence[Feature],
    k: int | None = None,
    method: str = "kmeans",
    depth: int = 3,
    seed: int = 0,
    sample: int = K_SAMPLE,
) -> Clustering:
    """Fit clusters (choosing k by silhouette unless given) and describe each one.

    k is chosen on a random sample of at most ``sample`` profiles; the final fit covers all.
    """
    if method not in ("kmeans", "agglomerative"):
        raise ValueError(f"method: kmeans or agglomerative, not {method!r}")
    from sklearn.preprocessing import StandardScaler

    raw = np.asarray(matrix, dtype=float)
    if len(raw) < MIN_PROFILES:
        raise TooFewProfiles(len(raw), MIN_PROFILES)
    scaler = StandardScaler().fit(raw)
    scaled = scaler.transform(raw)
    limit = min(sample, AGGLOMERATIVE_SAMPLE) if method == "agglomerative" else sample
    chosen = _sample(len(scaled), limit, seed)
    choice = choose_k(scaled[chosen], [k] if k else K_RANGE, method, seed)
    labels = _label_all(scaled, chosen, choice.k, method, seed)
    clusters = []
    for number in range(choice.k):
        members = labels == number
        z = scaled[members].mean(axis=0)
        name, description = _describe(z, features)
        rule, agreement = _rule_for(raw, members, features, depth, seed)
        centroid = dict(zip((f.name for f in features), raw[members].mean(axis=0), strict=True))
        exact = {key: float(v) for key, v in centroid.items()}
        clusters.append(
            Cluster(
                number,
                int(members.sum()),
                name,
                description,
                exact,
                rule,
                agreement,
            )
        )
    return Clustering(
        tuple(features),
        choice,
        [int(x) for x in labels],
        clusters,
        [float(v) for v in scaler.mean_],
        [float(v) if v else 1.0 for v in scaler.scale_],
    )
