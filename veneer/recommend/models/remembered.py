"""A served model that remembers its latest answers, so a repeated request is not scored again.

A page asks for a viewer's recommendations in several places, reloads ask again, and an app
asks at every start: most requests score a history the model scored moments ago. An answer
depends only on the model and on what it is asked (the history, its weights, what to skip,
how many), so those are the key, and nothing else: a view made a second ago changes the
history and so misses the memory, and two viewers with the same history share an answer
that would be the same anyway. Nobody's answer is ever served from another's identity.

Weights decay continuously with the age of each interaction; they are rounded to three
significant digits before scoring, whether the answer is remembered or computed, so an
answer is the same either way and seconds of decay do not make every request a miss.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence

from veneer.recommend.models.serving import Scored, ServingModel

REMEMBERED = 1024  # answers kept per served model; each is at most a few hundred entries

Key = tuple[tuple[str, ...], tuple[float, ...], frozenset[str], int, frozenset[str]]


def rounded(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(float(f"{w:.3g}") for w in weights)


class RememberedModel:
    """``model`` with a bounded memory of its latest answers (least recently used go first)."""

    def __init__(self, model: ServingModel, size: int = REMEMBERED):
        if size < 1:
            raise ValueError("size must be at least 1")
        self.model = model
        self.size = size
        self._answers: OrderedDict[Key, tuple[Scored, ...]] = OrderedDict()
        self._lock = threading.Lock()  # scoring may run in worker threads as well
        self.hits = self.misses = 0

    @property
    def recipe(self) -> str:
        return self.model.recipe

    def __len__(self) -> int:
        return len(self.model)

    def known_features(self, features: Collection[str]) -> tuple[str, ...]:
        return self.model.known_features(features)

    def recommend(
        self,
        history: Sequence[str],
        n: int,
        skip: Collection[str] = (),
        weights: Sequence[float] = (),
        features: Sequence[str] = (),
    ) -> list[Scored]:
        """`ServingModel.recommend`, from memory when it was asked the same before."""
        known = frozenset(self.model.known_features(features))  # the rest change nothing
        key: Key = (tuple(history), rounded(weights), frozenset(skip), n, known)
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
                self.hits += 1
                return list(answer)
            self.misses += 1
        answer = tuple(self.model.recommend(key[0], n, key[2], key[1], sorted(key[4])))
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return list(answer)
