"""Holdouts: a stable, uniform share of each segment's members, chosen per segment."""

from __future__ import annotations

from veneer.segments.holdout import holdout_position, in_holdout


def test_the_share_held_out_is_the_fraction_asked_for() -> None:
    viewers = [f"anon:{n}" for n in range(20_000)]
    held = [v for v in viewers if in_holdout(v, "campers", 0.2)]
    assert 0.19 < len(held) / len(viewers) < 0.21
    assert not any(in_holdout(v, "campers", 0.0) for v in viewers[:1000])


def test_stable_per_viewer_and_independent_between_segments() -> None:
    assert holdout_position("anon:7", "campers") == holdout_position("anon:7", "campers")
    campers = {v for v in (f"anon:{n}" for n in range(5000)) if in_holdout(v, "campers", 0.5)}
    climbers = {v for v in (f"anon:{n}" for n in range(5000)) if in_holdout(v, "climbers", 0.5)}
    overlap = len(campers & climbers) / len(campers)
    assert 0.45 < overlap < 0.55, "being held out of one segment says nothing about another"
