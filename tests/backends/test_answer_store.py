"""The answer store: bounded in entries and bytes, answers expiring on time or on schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from veneer.backends.answer_store import AnswerStore

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_served_until_its_ttl_then_forgotten() -> None:
    clock = Clock()
    store = AnswerStore(10, 1000, ttl=60, clock=clock)
    store.put("k", b"body", {"exp": "b"}, None)
    kept = store.get("k", NOW)
    assert kept is not None and kept.body == b"body" and kept.arms == {"exp": "b"}
    clock.now = 60
    assert store.get("k", NOW) is None
    assert len(store) == 0


def test_a_variant_schedule_change_ends_an_answer_at_that_moment() -> None:
    store = AnswerStore(10, 1000, ttl=600)
    starts = NOW + timedelta(minutes=5)
    store.put("k", b"body", {}, starts)
    assert store.get("k", starts - timedelta(microseconds=1)) is not None
    assert store.get("k", starts) is None


def test_the_least_recently_used_answers_go_first_by_count_and_by_bytes() -> None:
    store = AnswerStore(2, 10, ttl=60)
    store.put("a", b"1234", {}, None)
    store.put("b", b"1234", {}, None)
    assert store.get("a", NOW) is not None  # now b is the least recently used
    store.put("c", b"1234", {}, None)
    assert [k for k in ("a", "b", "c") if store.get(k, NOW)] == ["a", "c"]
    store.put("d", b"12345678", {}, None)  # 4 + 8 bytes > 10: a goes, then c
    assert [k for k in ("a", "c", "d") if store.get(k, NOW)] == ["d"]
    store.put("e", b"x" * 11, {}, None)  # bigger than the whole store: not kept
    assert store.get("e", NOW) is None and store.get("d", NOW) is not None


def test_clearing_forgets_everything_and_size_zero_keeps_nothing() -> None:
    store = AnswerStore(10, 1000, ttl=60)
    store.put("a", b"1", {}, None)
    store.clear()
    assert store.get("a", NOW) is None
    off = AnswerStore(0, 1000, ttl=60)
    off.put("a", b"1", {}, None)
    assert not off.enabled and off.get("a", NOW) is None
    assert not AnswerStore(10, 1000, ttl=0).enabled
