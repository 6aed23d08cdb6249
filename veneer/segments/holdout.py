"""Holdouts: a stable share of a segment's members who see the baseline, for validation.

Whether a viewer is held out depends only on the viewer and the segment (a hash), never on
time or request order, so a viewer stays on the same side, and the split can be recomputed
later from stored membership to compare the two sides.
"""

from __future__ import annotations

import hashlib

MAX_HOLDOUT = 0.5


def holdout_position(viewer_id: str, segment_key: str) -> float:
    """A number in [0, 1), uniform over viewers and independent between segments."""
    digest = hashlib.sha256(f"{segment_key}\x00{viewer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_holdout(viewer_id: str, segment_key: str, fraction: float) -> bool:
    return fraction > 0 and holdout_position(viewer_id, segment_key) < fraction
