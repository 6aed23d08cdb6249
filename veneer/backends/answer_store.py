"""Answers kept for reuse in this process: encoded GraphQL responses, by what decides them.

What goes into a key, and which answers may be kept at all, is decided by the GraphQL layer
(`veneer.graphql.answers`); this is only the bounded store. It lives in each app process,
not in Redis: a hit must cost a dictionary lookup, not a round trip. Nothing here is shared
between processes, so nothing one process keeps can reach another's viewers; each process
forgets everything when content changes (the webhook's process at once, the others when the
change is announced on the content channel).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from veneer.variants.coverage import Served


@dataclass(frozen=True)
class Answer:
    body: bytes
    arms: Mapping[str, str]  # experiment -> arm the answer shows: exposures to record
    valid_until: datetime | None  # a variant's schedule changes the answer from then on
    expires: float  # on the store's clock
    served: Mapping[Served, int] = field(default_factory=dict)  # entries shown, by why


class AnswerStore:
    """An LRU bounded in entries and in bytes, whose answers expire after ``ttl`` seconds.

    ``max_entries`` of 0 (or a ``ttl`` of 0) turns reuse off: every request runs.
    """

    def __init__(
        self,
        max_entries: int,
        max_bytes: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._clock = clock
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._bytes = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.ttl > 0

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: Hashable, now: datetime) -> Answer | None:
        answer = self._answers.get(key)
        if answer is None:
            return None
        if answer.expires <= self._clock() or (
            answer.valid_until is not None and now >= answer.valid_until
        ):
            self._drop(key)
            return None
        self._answers.move_to_end(key)
        return answer

    def put(
        self,
        key: Hashable,
        body: bytes,
        arms: Mapping[str, str],
        valid_until: datetime | None,
        served: Mapping[Served, int] | None = None,
    ) -> None:
        """``served``: the entries the answer shows by coverage reason, counted again each
        time it is reused, as running it again would count them."""
        if not self.enabled or len(body) > self.max_bytes:
            return
        self._drop(key)
        expires = self._clock() + self.ttl
        self._answers[key] = Answer(body, dict(arms), valid_until, expires, dict(served or {}))
        self._bytes += len(body)
        while len(self._answers) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._answers)))

    def clear(self) -> None:
        """Content (or what decides variants) changed: nothing kept may be served again."""
        self._answers.clear()
        self._bytes = 0

    def _drop(self, key: Hashable) -> None:
        answer = self._answers.pop(key, None)
        if answer is not None:
            self._bytes -= len(answer.body)
