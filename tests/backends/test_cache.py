from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis

from veneer.backends.cache import Cache, InProcessCache
from veneer.backends.redis_cache import RedisCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _get(cache: InProcessCache, key: str) -> Any:
    return asyncio.run(cache.get(key))


def _set(cache: InProcessCache, key: str, value: Any, ttl: float = 60) -> None:
    asyncio.run(cache.set(key, value, ttl))


def _cache(maxsize: int = 100) -> tuple[InProcessCache, FakeClock]:
    clock = FakeClock()
    return InProcessCache(maxsize=maxsize, clock=clock), clock


def test_get_returns_what_was_set() -> None:
    cache, _ = _cache()
    value = {"title": "Cinder"}
    _set(cache, "entry:1", value)
    assert _get(cache, "entry:1") is value
    assert _get(cache, "entry:2") is None


def test_set_replaces_the_value() -> None:
    cache, _ = _cache()
    _set(cache, "k", "old")
    _set(cache, "k", "new")
    assert _get(cache, "k") == "new"
    assert len(cache) == 1


def test_entries_expire_ttl_seconds_after_they_were_set() -> None:
    cache, clock = _cache()
    _set(cache, "k", "v", ttl=10)
    clock.advance(9.999)
    assert _get(cache, "k") == "v"
    clock.advance(0.001)
    assert _get(cache, "k") is None
    assert len(cache) == 0


def test_reading_does_not_extend_the_ttl() -> None:
    cache, clock = _cache()
    _set(cache, "k", "v", ttl=10)
    for _ in range(3):
        clock.advance(3)
        assert _get(cache, "k") == "v"
    clock.advance(1)
    assert _get(cache, "k") is None


def test_setting_again_restarts_the_ttl() -> None:
    cache, clock = _cache()
    _set(cache, "k", "v1", ttl=10)
    clock.advance(8)
    _set(cache, "k", "v2", ttl=10)
    clock.advance(8)
    assert _get(cache, "k") == "v2"


def test_each_entry_has_its_own_ttl() -> None:
    cache, clock = _cache()
    _set(cache, "short", 1, ttl=5)
    _set(cache, "long", 2, ttl=50)
    clock.advance(10)
    assert _get(cache, "short") is None
    assert _get(cache, "long") == 2


def test_ttl_zero_disables_caching_and_drops_a_stale_value() -> None:
    cache, _ = _cache()
    _set(cache, "k", "v", ttl=0)
    assert _get(cache, "k") is None
    _set(cache, "k", "cached", ttl=60)
    _set(cache, "k", "uncached", ttl=0)
    assert _get(cache, "k") is None
    _set(cache, "k", "v", ttl=-1)
    assert _get(cache, "k") is None
    assert len(cache) == 0


def test_least_recently_set_is_evicted_first() -> None:
    cache, _ = _cache(maxsize=3)
    for key in "abcd":
        _set(cache, key, key.upper())
    assert len(cache) == 3
    assert [_get(cache, key) for key in "abcd"] == [None, "B", "C", "D"]


def test_reading_makes_an_entry_recently_used() -> None:
    cache, _ = _cache(maxsize=3)
    for key in "abc":
        _set(cache, key, key)
    assert _get(cache, "a") == "a"
    _set(cache, "d", "d")
    assert _get(cache, "b") is None
    assert _get(cache, "a") == "a"
    _set(cache, "e", "e")
    assert _get(cache, "c") is None
    assert [_get(cache, key) for key in "ade"] == ["a", "d", "e"]


def test_setting_an_existing_key_makes_it_recently_used() -> None:
    cache, _ = _cache(maxsize=2)
    _set(cache, "a", 1)
    _set(cache, "b", 2)
    _set(cache, "a", 3)
    _set(cache, "c", 4)
    assert _get(cache, "b") is None
    assert _get(cache, "a") == 3


def test_delete() -> None:
    cache, _ = _cache()
    _set(cache, "a", 1)
    _set(cache, "b", 2)
    asyncio.run(cache.delete("a"))
    asyncio.run(cache.delete("never-set"))
    assert _get(cache, "a") is None
    assert _get(cache, "b") == 2


def test_delete_prefix_removes_only_matching_keys() -> None:
    cache, _ = _cache()
    for key in ["viewer:anon:1", "viewer:user:2", "viewers", "entry:viewer:3", "segments"]:
        _set(cache, key, key)
    asyncio.run(cache.delete_prefix("viewer:"))
    assert _get(cache, "viewer:anon:1") is None
    assert _get(cache, "viewer:user:2") is None
    assert [_get(cache, k) for k in ["viewers", "entry:viewer:3", "segments"]] == [
        "viewers",
        "entry:viewer:3",
        "segments",
    ]


def test_expired_entries_are_not_served_inside_one_event_loop() -> None:
    cache, clock = _cache(maxsize=2)

    async def scenario() -> list[Any]:
        await cache.set("a", 1, 10)
        await cache.set("b", 2, 10)
        clock.advance(11)
        await cache.set("c", 3, 10)
        return [await cache.get(k) for k in "abc"]

    assert asyncio.run(scenario()) == [None, None, 3]


def _backend(kind: str, request: pytest.FixtureRequest) -> Cache:
    if kind == "in-process":
        return InProcessCache()
    url = request.getfixturevalue("redis_url")
    return RedisCache(Redis.from_url(url))


@pytest.mark.parametrize("kind", ["in-process", "redis"])
def test_a_group_is_dropped_whole_and_alone(kind: str, request: pytest.FixtureRequest) -> None:
    """``viewer:42|`` drops viewer 42's keys, not 421's, nor keys merely starting alike."""

    async def work() -> list[object]:
        cache = _backend(kind, request)
        keys = ["viewer:42|record", "viewer:42|events|60|click", "viewer:421|record", "viewer:42"]
        for key in keys:
            await cache.set(key, key, 60)
        await cache.delete_prefix("viewer:42|")
        after_drop = [await cache.get(key) for key in keys]
        await cache.set("viewer:42|record", "fresh", 60)  # the group fills again after a drop
        await cache.delete("viewer:421|record")
        refilled = [await cache.get("viewer:42|record"), await cache.get("viewer:421|record")]
        await cache.delete_prefix("viewer:42|")
        return [*after_drop, *refilled, await cache.get("viewer:42|record")]

    assert asyncio.run(work()) == [
        None,
        None,
        "viewer:421|record",
        "viewer:42",
        "fresh",
        None,
        None,
    ]


@pytest.mark.parametrize("kind", ["in-process", "redis"])
def test_a_prefix_that_is_not_a_group_still_drops_every_key_under_it(
    kind: str, request: pytest.FixtureRequest
) -> None:
    async def work() -> list[object]:
        cache = _backend(kind, request)
        keys = ["viewer:1|record", "viewer:2|record", "viewer:2|events", "feed:1|a", "viewer"]
        for key in keys:
            await cache.set(key, key, 60)
        await cache.delete_prefix("viewer:")
        return [await cache.get(key) for key in keys]

    assert asyncio.run(work()) == [None, None, None, "feed:1|a", "viewer"]


def test_evicted_and_expired_keys_leave_their_group() -> None:
    """The index of groups never outgrows the cache: keys that leave it leave their group."""
    cache, clock = _cache(maxsize=3)
    for n in range(10):
        _set(cache, f"viewer:{n}|record", n, ttl=5 if n % 2 else 60)
    clock.advance(10)
    assert [_get(cache, f"viewer:{n}|record") for n in range(7, 10)] == [None, 8, None]
    assert cache._groups == {"viewer:8|": {"viewer:8|record"}}
