"""What a trained viewer is, besides what they did: user features for a hybrid model.

LightFM with user features learns an embedding per feature beside each viewer's own and
represents a viewer as their sum; so what campers take shapes the ``segment:campers``
embedding, and a viewer the model never saw, with no history yet, can be scored from their
features alone. Serving keeps those embeddings (`serving.Part.features`) and adds the
request's to the viewer's folded-in history.

Two kinds, named so they cannot collide (segment keys hold no ``:``):

- ``segment:<key>``: a segment the viewer is in;
- ``trait:<name>=<value>``: a first-party trait whose value is a string (up to
  ``MAX_VALUE`` characters) or a boolean, and each string of a list trait (``interests``).
  Numbers (age, lifetime value) would need bins nobody chose, so they are left out.

Only what the viewer consented to being personalized by counts: the caller passes segments
and traits of viewers who granted PERSONALIZATION only. A feature is a column only once
``MIN_MEMBERS`` trained viewers hold it, as popularity within a segment waits for three
members: an embedding learned from one viewer's choices would hand them to anyone else who
shares the feature, and a trait only one viewer holds (an e-mail hash, a name) is theirs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_MEMBERS = 3
MAX_VALUE = 64
SEGMENT, TRAIT = "segment:", "trait:"


def viewer_features(segments: Collection[str], traits: Mapping[str, Any]) -> frozenset[str]:
    """The user features that describe a viewer in these segments, with these traits."""
    names = {f"{SEGMENT}{key}" for key in segments}
    for name, value in traits.items():
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, bool):
                names.add(f"{TRAIT}{name}={str(one).lower()}")
            elif isinstance(one, str) and one and len(one) <= MAX_VALUE:
                names.add(f"{TRAIT}{name}={one}")
    return frozenset(names)


def reason_for(feature: str) -> str:
    """What a recommendation's reason says when this feature weighed most."""
    if feature.startswith(SEGMENT):
        return f"because you are in `{feature.removeprefix(SEGMENT)}`"
    name, _, value = feature.removeprefix(TRAIT).partition("=")
    return f"because of your `{name}`: `{value}`"


@dataclass(frozen=True, eq=False)
class UserFeatures:
    """``matrix`` is users x features (CSR, float32, 1 where a viewer has the feature), its
    rows in the order of the user ids it was built for; ``names`` name its columns."""

    matrix: Any
    names: tuple[str, ...]

    def as_params(self) -> dict[str, object]:
        """What a registered version records of the features it was trained with."""
        counts = np.asarray(self.matrix.sum(axis=0)).ravel().astype(int).tolist()
        return {"used": True, "features": dict(zip(self.names, counts, strict=True))}


def user_features(
    user_ids: Sequence[str], features: Mapping[str, Collection[str]]
) -> UserFeatures | None:
    """A column per feature at least ``MIN_MEMBERS`` of ``user_ids`` hold, or None if none is."""
    from scipy.sparse import csr_matrix

    held = Counter(name for user in user_ids for name in set(features.get(user, ())))
    names = tuple(sorted(name for name, count in held.items() if count >= MIN_MEMBERS))
    if not names:
        return None
    column = {name: i for i, name in enumerate(names)}
    rows: list[int] = []
    columns: list[int] = []
    for row, user in enumerate(user_ids):
        for name in sorted(set(features.get(user, ()))):
            if name in column:
                rows.append(row)
                columns.append(column[name])
    matrix = csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)),
        shape=(len(user_ids), len(names)),
        dtype=np.float32,
    )
    return UserFeatures(matrix, names)
