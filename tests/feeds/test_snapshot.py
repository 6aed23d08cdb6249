"""A snapshot keeps a feed's ranking compactly; pages are slices of it."""

from __future__ import annotations

import pickle

from veneer.feeds.snapshot import Snapshot, bound_types, page
from veneer.recommend.candidates import Candidate

FEED = [
    Candidate("a", 0.0, "pinned by the editors", "pinned"),
    Candidate("b", 3.0, "popular now", "popular"),
    Candidate("c", 2.0, "popular now", "popular"),
    Candidate("d", 1.0, "new", "recent"),
    Candidate("e", 0.5, "new", "recent"),
]


def _snapshot() -> Snapshot:
    return Snapshot.of(FEED, ["product", "article", "product"], personal=False)


def test_a_snapshot_keeps_each_entry_and_why_with_each_reason_stored_once() -> None:
    snapshot = _snapshot()
    assert len(snapshot) == 5 and len(snapshot.reasons) == 3
    assert [(c.entry_id, c.reason, c.strategy) for c in map(snapshot.candidate, range(5))] == [
        (c.entry_id, c.reason, c.strategy) for c in FEED
    ]
    assert snapshot.content_types == ("article", "product")
    assert pickle.loads(pickle.dumps(snapshot)) == snapshot  # as Redis keeps it


def test_content_types_bind_a_feed_whatever_their_order() -> None:
    assert bound_types(["b", "a", "b"]) == ("a", "b")
    assert bound_types([]) == ()
    assert bound_types(None) is None


def test_pages_follow_on_from_each_other_to_the_end() -> None:
    snapshot, live = _snapshot(), set("abcde")
    first = page(snapshot, 0, 2, live)
    second = page(snapshot, first.items[-1][0], 2, live)
    third = page(snapshot, second.items[-1][0], 2, live)
    assert [[c.entry_id for _, c in p.items] for p in (first, second, third)] == [
        ["a", "b"],
        ["c", "d"],
        ["e"],
    ]
    assert [p.has_next_page for p in (first, second, third)] == [True, True, False]
    assert [position for position, _ in first.items] == [1, 2]


def test_an_entry_no_longer_served_is_skipped_and_the_page_still_fills() -> None:
    snapshot = _snapshot()
    cut = page(snapshot, 0, 2, {"a", "c", "d"})
    assert [(position, c.entry_id) for position, c in cut.items] == [(1, "a"), (3, "c")]
    assert cut.has_next_page
    last = page(snapshot, 3, 2, {"a", "c", "d"})
    assert [c.entry_id for _, c in last.items] == ["d"] and not last.has_next_page
    assert not page(snapshot, 4, 2, {"a", "c", "d"}).has_next_page
