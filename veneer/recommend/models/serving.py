"""What a trained model keeps for serving, and how it scores a viewer's history as it is now.

Training fits user factors for the viewers it saw, but a request must also serve viewers it
never saw, and follow what a known viewer did since training ("a click influences the next
recommendations"). So serving keeps only the item side of each model and scores the viewer's
current history through it, item to item:

- an item-item model (EASE) scores ``h @ B``;
- a factor model (LightFM, ALS) folds the viewer in as the weighted sum of the factors of
  what they engaged with: ``(h @ V) @ V.T + bias``; a LightFM trained with user features
  (the viewers' segments and traits, see `user_features`) treats the viewer's as a prior
  the history outweighs as it grows: the viewer is ``t * f + (1 - t) * s``, where ``f`` is
  the folded-in history put on the scale of the trained viewers' representations (their
  mean length), ``s`` the mean of the viewer's features' embeddings with their own (as
  LightFM represents a viewer with those features and nothing more), and
  ``t = n / (n + PRIOR_ENTRIES)`` for ``n`` history entries: no history, the features
  alone; ``PRIOR_ENTRIES`` of them, an equal say;
- ItemPop scores its counts, the same for everyone;
- a blend z-scores each part over the catalogue and adds them by weight, as in training.

Every score is then a constant plus one contribution per history item and user feature, so
the reason shown ("because you viewed *X*", "because you are in `campers`") names the one
that contributed most to each result.

The artifact is an ``.npz`` archive with a JSON header and no pickled objects: loading one
from the database runs no code, whoever wrote the row.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from veneer.recommend.models.blend import BlendScorer
from veneer.recommend.models.ease import Ease, EaseScorer
from veneer.recommend.models.itempop import PopularityScorer
from veneer.recommend.models.lightfm_model import FactorScorer
from veneer.recommend.models.recipe import Recipe, Scorer

Vector = NDArray[np.float32]
NO_ROWS = np.empty(0, dtype=np.int64)
# History entries that count as much as the viewer's user features. On planted groups
# (`python -m bench.recs_segments`) segments lift a viewer with no history from nothing to
# 0.55-0.60 precision@10, and change little once there is one: 0.97x-1.01x of the history
# alone for 1 to 10 here. When viewers drift from their segment's taste, the more the
# segments weigh the worse (0.81x at 1, 0.42x at 3), so one entry of their own outweighs them.
PRIOR_ENTRIES = 1.0
FORMAT = 2  # bumped when the archive's layout changes; unknown layouts are refused, not misread
READABLE = (1, 2)  # 1: before user features, read as a model trained without them
ITEM_ITEM, FACTORS, COUNTS = "item-item", "factors", "counts"


class ArtifactError(ValueError):
    """The bytes are not a serving model this version can read."""


NO_FEATURES = np.empty((0, 0), dtype=np.float32)
Positions = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Part:
    """One model's item side: ``matrix`` is items x items (item-item), items x factors
    (factors) or empty (counts); ``bias`` is added to every viewer's scores.

    A factor part trained with user features keeps their names (``features``), their
    embeddings (``feature_matrix``, features x factors) and ``user_norm``, the mean length
    of the trained viewers' representations.
    """

    kind: str
    matrix: Vector
    bias: Vector
    weight: float = 1.0
    half_life: float | None = None  # recency-weighted history when set (EASE-recency)
    features: tuple[str, ...] = ()
    feature_matrix: Vector = field(default_factory=lambda: NO_FEATURES)
    user_norm: float = 0.0

    def feature_rows(self, features: Sequence[str]) -> Positions:
        """Rows of ``feature_matrix`` for the viewer's ``features`` this part knows."""
        if not self.features:
            return NO_ROWS
        rows = self._rows
        return np.asarray([rows[f] for f in features if f in rows], dtype=np.int64)

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {name: row for row, name in enumerate(self.features)}

    def _viewer(
        self, items: Positions, weights: Vector, rows: Positions
    ) -> tuple[Vector, float, float]:
        """A factor part's viewer vector, and the scales its history's factors and its
        features' embeddings were given in it."""
        folded: Vector = weights @ self.matrix[items]
        if len(rows) == 0:
            return folded, 1.0, 0.0
        trust = len(items) / (len(items) + PRIOR_ENTRIES)
        length = float(np.linalg.norm(folded))
        history = trust * self.user_norm / length if length > 0 else 0.0
        described = (1 - trust) / (1 + len(rows))
        features = self.feature_matrix[rows].sum(axis=0)
        viewer = folded * np.float32(history) + np.float32(described) * features
        return viewer, history, described

    def score(self, items: Positions, weights: Vector, rows: Positions = NO_ROWS) -> Vector:
        """Scores over the catalogue for a history of ``items`` weighing ``weights``, for a
        viewer with the features at ``rows``."""
        if self.kind == ITEM_ITEM:
            scores: Vector = weights @ self.matrix[items] + self.bias
        elif self.kind == FACTORS:
            scores = self.matrix @ self._viewer(items, weights, rows)[0] + self.bias
        else:
            scores = self.bias.copy()
        return scores

    def contributions(
        self, items: Positions, weights: Vector, targets: Positions, rows: Positions = NO_ROWS
    ) -> Vector:
        """(len(items) + len(rows)) x len(targets): what each history item, then each
        feature, adds to each target's score."""
        shares = np.zeros((len(items) + len(rows), len(targets)), dtype=np.float32)
        if self.kind == ITEM_ITEM:
            shares[: len(items)] = weights[:, None] * self.matrix[np.ix_(items, targets)]
        elif self.kind == FACTORS:
            _, history, described = self._viewer(items, weights, rows)
            chosen = self.matrix[targets].T
            shares[: len(items)] = (history * weights[:, None] * self.matrix[items]) @ chosen
            if len(rows):
                shares[len(items) :] = described * (self.feature_matrix[rows] @ chosen)
        return shares


@dataclass(frozen=True)
class Scored:
    """A recommended item, its score, and the history item or (``feature``) the user
    feature of the viewer's that contributed most, if any did."""

    entry_id: str
    score: float
    because: str | None
    feature: str | None = None


def recency_weights(count: int, half_life: float | None) -> Vector:
    """Weights for a history of ``count`` distinct items, newest first: 2^(-rank/half_life),
    as training weighed each viewer's interactions, or all 1 without a half-life."""
    if half_life is None:
        return np.ones(count, dtype=np.float32)
    weights: Vector = np.exp2(-np.arange(count, dtype=np.float32) / np.float32(half_life))
    return weights


@dataclass(frozen=True, eq=False)
class ServingModel:
    """A trained recipe's item side over ``item_ids`` (the catalogue it was trained on)."""

    recipe: str
    item_ids: tuple[str, ...]
    parts: tuple[Part, ...]
    positions: Mapping[str, int] = field(init=False, repr=False)
    features: frozenset[str] = field(init=False, repr=False)  # every part's, for lookups

    def __post_init__(self) -> None:
        if not self.parts:
            raise ArtifactError(f"{self.recipe} has no parts to score with")
        for part in self.parts:
            if len(part.bias) != len(self.item_ids):
                raise ArtifactError(
                    f"{self.recipe}: a {part.kind} part scores {len(part.bias)} items, "
                    f"the model names {len(self.item_ids)}"
                )
            if part.features and (
                part.kind != FACTORS
                or part.feature_matrix.shape != (len(part.features), part.matrix.shape[1])
            ):
                raise ArtifactError(
                    f"{self.recipe}: a {part.kind} part names {len(part.features)} user "
                    f"features but holds {part.feature_matrix.shape} feature factors"
                )
        object.__setattr__(self, "positions", {item: i for i, item in enumerate(self.item_ids)})
        object.__setattr__(self, "features", frozenset(f for p in self.parts for f in p.features))

    def __len__(self) -> int:
        return len(self.item_ids)

    def known_features(self, features: Collection[str]) -> tuple[str, ...]:
        """Those of ``features`` the model was trained with, sorted: all it can use of them."""
        return tuple(sorted(self.features.intersection(features)))

    def recommend(
        self,
        history: Sequence[str],
        n: int,
        skip: Collection[str] = (),
        weights: Sequence[float] = (),
        features: Sequence[str] = (),
    ) -> list[Scored]:
        """The best ``n`` items for a viewer whose ``history`` (distinct entry ids, newest
        first) and user ``features`` are as given, never one of the history or of ``skip``.

        ``weights`` optionally scales each history item (a cart add counts more than a view);
        entries the model was not trained on are left out of the history and of the results,
        and features it was not trained with are ignored. Only items the history or a
        feature speaks for come back (it adds to their score): the rest score what any
        entry would, and filling a list with them in catalogue order would crowd out the
        fallbacks, which know better. A popularity model is the exception, since its counts
        are the same for everyone.
        """
        known = [
            (self.positions[entry_id], float(weights[i]) if i < len(weights) else 1.0)
            for i, entry_id in enumerate(history)
            if entry_id in self.positions
        ]
        popular = any(part.kind == COUNTS for part in self.parts)
        rows = [part.feature_rows(features) for part in self.parts]
        if not known and not popular and not any(len(r) for r in rows):
            return []
        items = np.fromiter((item for item, _ in known), dtype=np.int64, count=len(known))
        scale = np.fromiter((w for _, w in known), dtype=np.float32, count=len(known))
        totals, spreads = self._totals(items, scale, rows)
        blocked = {*items.tolist(), *(self.positions[e] for e in skip if e in self.positions)}
        totals[list(blocked)] = -np.inf
        best = _top(totals, min(n, len(totals) - len(blocked)))
        because = self._strongest(items, scale, rows, best, spreads)
        return [
            Scored(self.item_ids[i], float(totals[i]), *because[rank])
            for rank, i in enumerate(best)
            if popular or because[rank] != (None, None)
        ]

    def _history(self, items: Positions, scale: Vector, part: Part) -> Vector:
        return recency_weights(len(items), part.half_life) * scale

    def _totals(
        self, items: Positions, scale: Vector, rows: list[Positions]
    ) -> tuple[Vector, list[float]]:
        """The summed (z-scored when blended) scores, and each part's spread."""
        if len(self.parts) == 1:
            part = self.parts[0]
            return part.score(items, self._history(items, scale, part), rows[0]), [1.0]
        total = np.zeros(len(self.item_ids), dtype=np.float32)
        spreads: list[float] = []
        for part, own in zip(self.parts, rows, strict=True):
            scores = part.score(items, self._history(items, scale, part), own)
            spread = float(scores.std()) or 1.0
            spreads.append(spread)
            total += part.weight * (scores - scores.mean()) / spread
        return total, spreads

    def _strongest(
        self,
        items: Positions,
        scale: Vector,
        rows: list[Positions],
        targets: Positions,
        spreads: list[float],
    ) -> list[tuple[str | None, str | None]]:
        """For each target, the user feature (as ``(None, name)``) whose contribution to its
        score is largest if it adds more than the whole history does, else the history entry
        that adds most; ``(None, None)`` if none adds to it."""
        names = sorted({self.parts[p].features[r] for p, own in enumerate(rows) for r in own})
        if (len(items) == 0 and not names) or len(targets) == 0:
            return [(None, None)] * len(targets)
        added = np.zeros((len(items) + len(names), len(targets)), dtype=np.float32)
        for part, own, spread in zip(self.parts, rows, spreads, strict=True):
            weight = part.weight if len(self.parts) > 1 else 1.0
            share = part.contributions(items, self._history(items, scale, part), targets, own)
            added[: len(items)] += (weight / spread) * share[: len(items)]
            for k, row in enumerate(own):
                at = len(items) + names.index(part.features[row])
                added[at] += (weight / spread) * share[len(items) + k]
        # The history as a whole against each feature: a viewer whose views outweigh their
        # segments and traits hear about their views, however many they are.
        history, described = added[: len(items)], added[len(items) :]
        none = np.zeros(len(targets), dtype=np.float32)
        viewed = history.sum(axis=0) if len(items) else none
        item_best = history.max(axis=0) if len(items) else none
        by_feature = (
            described.max(axis=0) > np.maximum(viewed, 0)
            if names
            else np.zeros(len(targets), dtype=bool)
        )
        item_rows = history.argmax(axis=0).tolist() if len(items) else [0] * len(targets)
        feature_rows = described.argmax(axis=0).tolist() if names else [0] * len(targets)
        found: list[tuple[str | None, str | None]] = []
        for column, (featured, positive) in enumerate(
            zip(by_feature.tolist(), (item_best > 0).tolist(), strict=True)
        ):
            if featured:
                found.append((None, names[feature_rows[column]]))
            elif positive:
                found.append((self.item_ids[items[item_rows[column]]], None))
            else:
                found.append((None, None))
        return found

    def to_bytes(self) -> bytes:
        """The archive: a JSON header and one or two arrays per part."""
        header = {
            # Without user features the layout is format 1's, which an older Veneer reads.
            "format": FORMAT if any(p.features for p in self.parts) else 1,
            "recipe": self.recipe,
            "items": list(self.item_ids),
            "parts": [
                {
                    "kind": p.kind,
                    "weight": p.weight,
                    "half_life": p.half_life,
                    "features": list(p.features),
                    "user_norm": p.user_norm,
                }
                for p in self.parts
            ],
        }
        arrays: dict[str, Any] = {"header": np.frombuffer(orjson.dumps(header), dtype=np.uint8)}
        for i, part in enumerate(self.parts):
            arrays[f"matrix{i}"] = part.matrix
            arrays[f"bias{i}"] = part.bias
            arrays[f"features{i}"] = part.feature_matrix
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ServingModel:
        """Read an archive written by ``to_bytes``; anything else is an `ArtifactError`."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                header = orjson.loads(archive["header"].tobytes())
                if header.get("format") not in READABLE:
                    raise ArtifactError(
                        f"artifact format {header.get('format')!r}; this version reads "
                        + " and ".join(map(str, READABLE))
                    )
                parts = tuple(
                    Part(
                        kind=str(spec["kind"]),
                        matrix=archive[f"matrix{i}"].astype(np.float32, copy=False),
                        bias=archive[f"bias{i}"].astype(np.float32, copy=False),
                        weight=float(spec["weight"]),
                        half_life=spec["half_life"],
                        features=tuple(str(key) for key in spec.get("features", ())),
                        feature_matrix=(
                            archive[f"features{i}"].astype(np.float32, copy=False)
                            if f"features{i}" in archive.files
                            else NO_FEATURES
                        ),
                        user_norm=float(spec.get("user_norm", 0.0)),
                    )
                    for i, spec in enumerate(header["parts"])
                )
                return cls(str(header["recipe"]), tuple(header["items"]), parts)
        except ArtifactError:
            raise
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            raise ArtifactError(f"not a serving model: {exc}") from exc


def _top(scores: Vector, n: int) -> NDArray[np.int64]:
    """Indices of the ``n`` highest scores, best first (ties by index)."""
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    chosen = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    order = np.lexsort((chosen, -scores[chosen]))
    return chosen[order].astype(np.int64)


def _part(recipe: Recipe | None, scorer: Scorer, weight: float) -> Part:
    """The item side of one fitted scorer."""
    if isinstance(scorer, EaseScorer):
        half_life = recipe.half_life if isinstance(recipe, Ease) else None
        zeros = np.zeros(len(scorer.weights), dtype=np.float32)
        return Part(ITEM_ITEM, scorer.weights.astype(np.float32), zeros, weight, half_life)
    if isinstance(scorer, FactorScorer):
        if scorer.feature_factors is None:
            return Part(FACTORS, scorer.item_factors, scorer.item_bias, weight)
        return Part(
            FACTORS,
            scorer.item_factors,
            scorer.item_bias,
            weight,
            features=scorer.feature_names,
            feature_matrix=scorer.feature_factors,
            user_norm=scorer.user_norm,
        )
    if isinstance(scorer, PopularityScorer):
        counts = scorer.counts.astype(np.float32)
        return Part(COUNTS, np.empty((0, 0), dtype=np.float32), counts, weight)
    raise ArtifactError(f"{type(scorer).__name__} cannot be served from a history")


def export(
    name: str,
    fitted: Mapping[str, Scorer],
    recipes: Mapping[str, Recipe],
    item_ids: Sequence[str],
) -> ServingModel:
    """The serving model of the fitted recipe ``name`` (a blend brings its parts along)."""
    scorer = fitted[name]
    if isinstance(scorer, BlendScorer):
        blend = recipes[name]
        weights = getattr(blend, "weights", ())
        parts = tuple(_part(recipes.get(part), fitted[part], weight) for part, weight in weights)
        return ServingModel(name, tuple(item_ids), parts)
    return ServingModel(name, tuple(item_ids), (_part(recipes.get(name), scorer, 1.0),))
