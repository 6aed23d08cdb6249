"""What a trained model keeps for serving, and how it scores a viewer's history as it is now.

Training fits user factors for the viewers it saw, but a request must also serve viewers it
never saw, and follow what a known viewer did since training ("a click influences the next
recommendations"). So serving keeps only the item side of each model and scores the viewer's
current history through it, item to item:

- an item-item model (EASE) scores ``h @ B``;
- a factor model (LightFM, ALS) folds the viewer in as the weighted sum of the factors of
  what they engaged with: ``(h @ V) @ V.T + bias``;
- ItemPop scores its counts, the same for everyone;
- a blend z-scores each part over the catalogue and adds them by weight, as in training.

Every score is then a constant plus one contribution per history item, so the reason shown
("because you viewed *X*") names the history item that contributed most to each result.

The artifact is an ``.npz`` archive with a JSON header and no pickled objects: loading one
from the database runs no code, whoever wrote the row.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
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
FORMAT = 1  # bumped when the archive's layout changes; older layouts are refused, not misread
ITEM_ITEM, FACTORS, COUNTS = "item-item", "factors", "counts"


class ArtifactError(ValueError):
    """The bytes are not a serving model this version can read."""


@dataclass(frozen=True, eq=False)
class Part:
    """One model's item side: ``matrix`` is items x items (item-item), items x factors
    (factors) or empty (counts); ``bias`` is added to every viewer's scores."""

    kind: str
    matrix: Vector
    bias: Vector
    weight: float = 1.0
    half_life: float | None = None  # recency-weighted history when set (EASE-recency)

    def score(self, items: NDArray[np.int64], weights: Vector) -> Vector:
        """Scores over the catalogue for a history of ``items`` weighing ``weights``."""
        if self.kind == ITEM_ITEM:
            scores: Vector = weights @ self.matrix[items] + self.bias
        elif self.kind == FACTORS:
            scores = self.matrix @ (weights @ self.matrix[items]) + self.bias
        else:
            scores = self.bias.copy()
        return scores

    def contributions(
        self, items: NDArray[np.int64], weights: Vector, targets: NDArray[np.int64]
    ) -> Vector:
        """len(items) x len(targets): what each history item adds to each target's score."""
        if self.kind == ITEM_ITEM:
            shares: Vector = np.multiply(
                weights[:, None], self.matrix[np.ix_(items, targets)], dtype=np.float32
            )
        elif self.kind == FACTORS:
            shares = np.matmul(
                weights[:, None] * self.matrix[items], self.matrix[targets].T, dtype=np.float32
            )
        else:
            shares = np.zeros((len(items), len(targets)), dtype=np.float32)
        return shares


@dataclass(frozen=True)
class Scored:
    """A recommended item, its score, and the history item that contributed most (if any)."""

    entry_id: str
    score: float
    because: str | None


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

    def __post_init__(self) -> None:
        if not self.parts:
            raise ArtifactError(f"{self.recipe} has no parts to score with")
        for part in self.parts:
            if len(part.bias) != len(self.item_ids):
                raise ArtifactError(
                    f"{self.recipe}: a {part.kind} part scores {len(part.bias)} items, "
                    f"the model names {len(self.item_ids)}"
                )
        object.__setattr__(self, "positions", {item: i for i, item in enumerate(self.item_ids)})

    def __len__(self) -> int:
        return len(self.item_ids)

    def recommend(
        self,
        history: Sequence[str],
        n: int,
        skip: Collection[str] = (),
        weights: Sequence[float] = (),
    ) -> list[Scored]:
        """The best ``n`` items for a viewer whose ``history`` (distinct entry ids, newest
        first) is as given, never one of the history or of ``skip``.

        ``weights`` optionally scales each history item (a cart add counts more than a view);
        entries the model was not trained on are left out of the history and of the results.
        Only items the history speaks for come back (a history item adds to their score):
        the rest score what any entry would, and filling a list with them in catalogue order
        would crowd out the fallbacks, which know better. A popularity model is the
        exception, since its counts are the same for everyone.
        """
        known = [
            (self.positions[entry_id], float(weights[i]) if i < len(weights) else 1.0)
            for i, entry_id in enumerate(history)
            if entry_id in self.positions
        ]
        popular = any(part.kind == COUNTS for part in self.parts)
        if not known and not popular:
            return []
        items = np.fromiter((item for item, _ in known), dtype=np.int64, count=len(known))
        scale = np.fromiter((w for _, w in known), dtype=np.float32, count=len(known))
        totals, spreads = self._totals(items, scale)
        blocked = {*items.tolist(), *(self.positions[e] for e in skip if e in self.positions)}
        totals[list(blocked)] = -np.inf
        best = _top(totals, min(n, len(totals) - len(blocked)))
        because = self._strongest(items, scale, best, spreads)
        return [
            Scored(self.item_ids[i], float(totals[i]), because[rank])
            for rank, i in enumerate(best)
            if popular or because[rank] is not None
        ]

    def _history(self, items: NDArray[np.int64], scale: Vector, part: Part) -> Vector:
        return recency_weights(len(items), part.half_life) * scale

    def _totals(self, items: NDArray[np.int64], scale: Vector) -> tuple[Vector, list[float]]:
        """The summed (z-scored when blended) scores, and each part's spread."""
        if len(self.parts) == 1:
            part = self.parts[0]
            return part.score(items, self._history(items, scale, part)), [1.0]
        total = np.zeros(len(self.item_ids), dtype=np.float32)
        spreads: list[float] = []
        for part in self.parts:
            scores = part.score(items, self._history(items, scale, part))
            spread = float(scores.std()) or 1.0
            spreads.append(spread)
            total += part.weight * (scores - scores.mean()) / spread
        return total, spreads

    def _strongest(
        self,
        items: NDArray[np.int64],
        scale: Vector,
        targets: NDArray[np.int64],
        spreads: list[float],
    ) -> list[str | None]:
        """For each target, the history entry whose contribution to its score is largest."""
        if len(items) == 0 or len(targets) == 0:
            return [None] * len(targets)
        added = np.zeros((len(items), len(targets)), dtype=np.float32)
        for part, spread in zip(self.parts, spreads, strict=True):
            weight = part.weight if len(self.parts) > 1 else 1.0
            share = part.contributions(items, self._history(items, scale, part), targets)
            added += (weight / spread) * share
        strongest = added.argmax(axis=0)
        return [
            self.item_ids[items[row]] if added[row, column] > 0 else None
            for column, row in enumerate(strongest)
        ]

    def to_bytes(self) -> bytes:
        """The archive: a JSON header and one or two arrays per part."""
        header = {
            "format": FORMAT,
            "recipe": self.recipe,
            "items": list(self.item_ids),
            "parts": [
                {"kind": p.kind, "weight": p.weight, "half_life": p.half_life} for p in self.parts
            ],
        }
        arrays: dict[str, Any] = {"header": np.frombuffer(orjson.dumps(header), dtype=np.uint8)}
        for i, part in enumerate(self.parts):
            arrays[f"matrix{i}"] = part.matrix
            arrays[f"bias{i}"] = part.bias
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ServingModel:
        """Read an archive written by ``to_bytes``; anything else is an `ArtifactError`."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                header = orjson.loads(archive["header"].tobytes())
                if header.get("format") != FORMAT:
                    raise ArtifactError(
                        f"artifact format {header.get('format')!r}; this version reads {FORMAT}"
                    )
                parts = tuple(
                    Part(
                        kind=str(spec["kind"]),
                        matrix=archive[f"matrix{i}"].astype(np.float32, copy=False),
                        bias=archive[f"bias{i}"].astype(np.float32, copy=False),
                        weight=float(spec["weight"]),
                        half_life=spec["half_life"],
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
        return Part(FACTORS, scorer.item_factors, scorer.item_bias, weight)
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
