"""What the CMS says each trained entry is, as item features for a hybrid model.

LightFM with item features learns an embedding per feature beside each entry's own, and
represents an entry as the weighted sum of them; so an entry with few interactions borrows
what was learned from entries that share its content type, tags, categories and words,
instead of sitting near wherever its random start put it.

One column per feature, in four kinds:

- ``type:<content type>``: one-hot;
- ``tag:<tag>`` and ``category:<category>``: each of the entry's tags (categories) weighs
  1/n, so an entry with eight tags does not count its tags eight times over its type;
- ``word:<term>``: the entry's strongest TF-IDF terms, read from the catalogue's similarity
  index (the same words and weights similarity uses, no second vectorizer), renormalized.
  Only the ``TOP_WORDS`` strongest are kept, not the whole row: a body mentions hundreds of
  words in passing, each would cost the model an embedding and add noise to the entry's
  representation, while the strongest terms are what the entry is about. The index's
  ``tag_`` tokens are left out, since tags have columns of their own.

Each kind an entry has gets an equal share of a row summing to 1; the model adds the
entry's identity column (1) and scales rows to sum 1, so an entry's features together weigh
as much as its own embedding. Tried on the planted groups of
tests/recommend/models/test_hybrid.py (validation precision@10 over three seeds), that
balance served both halves of the point: features weighing four times the identity made the
model worse than LightFM without them on entries with interactions, while at a quarter of it
a new entry was pulled towards its group less and nothing was gained on the rest. A column
only one of the entries holds is dropped: it would be a second identity column, teaching
nothing the first does not. An entry the CMS no longer lists keeps an empty row and is
learned from its interactions alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from veneer.entries import Entry
from veneer.recommend.content_index import ContentIndex, tags_of

KINDS = ("type", "tag", "category", "word")
TOP_WORDS = 10
MIN_ENTRIES = 2  # entries that must share a feature for it to be a column
CATEGORY_FIELDS = ("category", "categories")
_TAG_TOKEN = "tag_"


@dataclass(frozen=True, eq=False)
class ItemFeatures:
    """``matrix`` is items x features (CSR, float32), its rows in the order of the item ids
    it was built for; ``names`` names each column as ``kind:value``."""

    matrix: Any
    names: tuple[str, ...]
    missing: tuple[str, ...]  # item ids the catalogue does not list: empty rows

    def counts(self) -> dict[str, int]:
        """Columns per kind."""
        kinds = Counter(name.split(":", 1)[0] for name in self.names)
        return {kind: kinds.get(kind, 0) for kind in KINDS}

    def as_params(self) -> dict[str, object]:
        """What a registered version records of the features it was trained with."""
        return {
            "used": True,
            "columns": self.counts(),
            "entries": self.matrix.shape[0] - len(self.missing),
            "notInCatalogue": len(self.missing),
        }


def _clean(values: Iterable[str]) -> list[str]:
    """Lower-cased and stripped, each once, so ``Camping`` and ``camping `` are one feature."""
    return list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))


def categories_of(entry: Entry) -> tuple[str, ...]:
    """An entry's ``category`` or ``categories``, as one string or a list of strings."""
    found: list[str] = []
    for name in CATEGORY_FIELDS:
        value = entry.fields.get(name)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
    return tuple(_clean(found))


def _words(rows: Any, terms: Sequence[str], row: int, top: int) -> dict[str, float]:
    """The ``top`` strongest terms of one TF-IDF row, leaving out the tag tokens."""
    start, end = rows.indptr[row], rows.indptr[row + 1]
    columns, weights = rows.indices[start:end], rows.data[start:end]
    kept = [(float(w), terms[c]) for c, w in zip(columns, weights, strict=True)]
    kept = [(w, t) for w, t in kept if w > 0 and not t.startswith(_TAG_TOKEN)]
    kept.sort(key=lambda pair: (-pair[0], pair[1]))
    return {term: weight for weight, term in kept[:top]}


def _weighed(kind: str, weights: dict[str, float]) -> dict[str, float]:
    """One kind's features of a row, scaled to sum 1."""
    total = sum(weights.values())
    return {f"{kind}:{value}": w / total for value, w in weights.items()} if total else {}


def item_features(
    index: ContentIndex, item_ids: Sequence[str], top_words: int = TOP_WORDS
) -> ItemFeatures:
    """The features of ``item_ids`` as the catalogue in ``index`` describes them."""
    from scipy.sparse import csr_matrix

    rows, terms = index.term_rows(item_ids)
    per_item: list[dict[str, float]] = []
    for row, item_id in enumerate(item_ids):
        entry = index.entries.get(item_id)
        if entry is None:
            per_item.append({})
            continue
        features = _weighed("type", {entry.content_type: 1.0})
        features |= _weighed("tag", dict.fromkeys(_clean(tags_of(entry)), 1.0))
        features |= _weighed("category", dict.fromkeys(categories_of(entry), 1.0))
        features |= _weighed("word", _words(rows, terms, row, top_words))
        per_item.append(features)
    shared = Counter(name for features in per_item for name in features)
    order = {kind: i for i, kind in enumerate(KINDS)}
    names = sorted(
        (name for name, held in shared.items() if held >= MIN_ENTRIES),
        key=lambda name: (order[name.split(":", 1)[0]], name),
    )
    column = {name: i for i, name in enumerate(names)}
    at_rows: list[int] = []
    at_columns: list[int] = []
    values: list[float] = []
    for row, features in enumerate(per_item):
        kept = {name: w for name, w in features.items() if name in column}
        # Rescale what is left of each kind, so dropping a rare tag does not shrink the rest,
        # and share the row equally among the kinds the entry has.
        totals: dict[str, float] = defaultdict(float)
        for name, weight in kept.items():
            totals[name.split(":", 1)[0]] += weight
        for name, weight in kept.items():
            at_rows.append(row)
            at_columns.append(column[name])
            values.append(weight / totals[name.split(":", 1)[0]] / len(totals))
    matrix = csr_matrix(
        (np.asarray(values, dtype=np.float32), (at_rows, at_columns)),
        shape=(len(item_ids), len(names)),
        dtype=np.float32,
    )
    missing = tuple(item_id for item_id in item_ids if item_id not in index.entries)
    return ItemFeatures(matrix, tuple(names), missing)
