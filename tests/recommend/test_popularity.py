"""Popularity: each viewer counts once per entry, recent and stronger interest weighs more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from veneer.recommend.candidates import CART, PURCHASE, VIEW, Interaction
from veneer.recommend.popularity import OVERALL, Counted, bought, popularity

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def _counted(viewer: str, entry: str, kind: str = VIEW, days_ago: float = 0, *segments: str):
    at = NOW - timedelta(days=days_ago)
    return Counted(viewer, Interaction(entry, kind, at), frozenset(segments))


def _order(table: dict[str, list], scope: str = OVERALL) -> list[str]:
    return [p.entry_id for p in table.get(scope, [])]


def test_one_viewer_viewing_fifty_times_counts_as_one_viewer() -> None:
    keen = [_counted("v1", "tent") for _ in range(50)]
    others = [_counted(f"v{n}", "tent") for n in range(2, 4)]
    spread = [_counted(f"w{n}", "stove") for n in range(4)]
    table = popularity([*keen, *others, *spread], NOW, WEEK)
    assert _order(table) == ["stove", "tent"]
    assert [p.viewers for p in table[OVERALL]] == [4, 3]


def test_a_purchase_outweighs_a_cart_add_which_outweighs_a_view() -> None:
    counted = [
        _counted(f"{kind}-{n}", entry, kind)
        for kind, entry in ((VIEW, "map"), (CART, "stove"), (PURCHASE, "tent"))
        for n in range(3)
    ]
    table = popularity(counted, NOW, WEEK)
    assert _order(table) == ["tent", "stove", "map"]


def test_older_interest_fades_by_half_each_half_life() -> None:
    counted = [_counted(f"a{n}", "old", days_ago=7) for n in range(3)]
    counted += [_counted(f"b{n}", "new") for n in range(3)]
    table = popularity(counted, NOW, WEEK)
    scores = {p.entry_id: p.score for p in table[OVERALL]}
    assert scores == {"new": 3.0, "old": 1.5}


def test_popular_now_needs_three_viewers_so_nobody_is_singled_out() -> None:
    pair = [_counted(v, "tent", PURCHASE) for v in ("a", "b")]  # strong, but only two viewers
    trio = [_counted(v, "stove") for v in ("c", "d", "e")]
    table = popularity([*pair, *trio], NOW, WEEK)
    assert _order(table) == ["stove"]
    assert [p.viewers for p in table[OVERALL]] == [3]
    assert popularity(pair, NOW, WEEK) == {}


def test_segments_need_three_viewers_so_nobody_is_singled_out() -> None:
    counted = [_counted(f"c{n}", "quickdraws", VIEW, 0, "climbers") for n in range(3)]
    counted.append(_counted("c9", "chalk", VIEW, 0, "climbers"))
    counted += [_counted(f"h{n}", "chalk") for n in range(2)]  # three overall, one a climber
    table = popularity(counted, NOW, WEEK)
    assert _order(table, "climbers") == ["quickdraws"]
    assert set(_order(table)) == {"quickdraws", "chalk"}


def test_unknown_event_types_do_not_count_and_each_scope_keeps_its_top() -> None:
    counted = [_counted(f"s{n}", "x", "search") for n in range(4)]
    counted += [_counted(f"v{n}-{k}", f"e{n}") for n in range(5) for k in range(3)]
    table = popularity(counted, NOW, WEEK, keep=2)
    assert _order(table) == ["e0", "e1"]


def test_a_purchase_names_its_entry_and_the_items_it_carried() -> None:
    assert bought("tent-x2", {"items": ["kettle-pot-set", 3, "tent-x2"]}) == [
        "tent-x2",
        "kettle-pot-set",
    ]
    assert bought(None, {"value": 10}) == []
