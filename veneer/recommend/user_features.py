"""The segments a trained viewer belongs to, as user features for a hybrid model.

LightFM with user features learns an embedding per segment beside each viewer's own and
represents a viewer as their sum; so what campers take shapes the ``campers`` embedding, and
a viewer the model never saw, with no history yet, can be scored from their segments alone.
Serving keeps those embeddings (`serving.Part.segments`) and adds the request's segments to
the viewer's folded-in history.

Only segments the viewer consented to being placed in count: the caller passes segments of
viewers who granted PERSONALIZATION only (without it none are decided). A segment is a
column only once ``MIN_MEMBERS`` trained viewers hold it, as popularity within a segment
waits for three members: an embedding learned from one viewer's choices would hand them to
anyone else placed in that segment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_MEMBERS = 3


@dataclass(frozen=True, eq=False)
class UserFeatures:
    """``matrix`` is users x segments (CSR, float32, one per membership), its rows in the
    order of the user ids it was built for; ``names`` are the segment keys of its columns."""

    matrix: Any
    names: tuple[str, ...]

    def as_params(self) -> dict[str, object]:
        """What a registered version records of the features it was trained with."""
        counts = np.asarray(self.matrix.sum(axis=0)).ravel().astype(int).tolist()
        return {"used": True, "segments": dict(zip(self.names, counts, strict=True))}


def user_features(
    user_ids: Sequence[str], segments: Mapping[str, Collection[str]]
) -> UserFeatures | None:
    """A column per segment at least ``MIN_MEMBERS`` of ``user_ids`` hold, or None if none does."""
    from scipy.sparse import csr_matrix

    held = Counter(key for user in user_ids for key in set(segments.get(user, ())))
    names = tuple(sorted(key for key, count in held.items() if count >= MIN_MEMBERS))
    if not names:
        return None
    column = {name: i for i, name in enumerate(names)}
    rows: list[int] = []
    columns: list[int] = []
    for row, user in enumerate(user_ids):
        for key in sorted(set(segments.get(user, ()))):
            if key in column:
                rows.append(row)
                columns.append(column[key])
    matrix = csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)),
        shape=(len(user_ids), len(names)),
        dtype=np.float32,
    )
    return UserFeatures(matrix, names)
