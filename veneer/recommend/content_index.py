"""Content similarity: TF-IDF over each entry's words and tags, compared by cosine.

It needs no viewer data, so it answers for viewers without RECOMMENDATIONS consent and for
an entry nobody has seen yet, and it is what item-to-item recommendations compare a viewer's
history with. An index is built once per catalogue (when content changes), never per
request; scikit-learn is imported only then, since importing it costs about a second that
neither the app's start nor a request should pay.

Tags count for more than the words around them: editors choose them to say what an entry is
about, while a body mentions many things in passing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from veneer.entries import Entry

TAG_WEIGHT = 10  # a tag counts as often as this in its entry's text (sublinear: 1 + ln 10)
# Fields that name or file an entry rather than describe it: their tokens only add noise.
NOT_TEXT = frozenset({"id", "slug", "locale", "updatedAt", "variants", "sku", "currency"})
NEIGHBOURS = 200  # most similar entries kept per entry: more than any list weighs
CACHED = 4096  # entries whose neighbours are remembered; the index never changes, so no expiry
_MARKUP = re.compile(r"<[^>]+>")
_OLDEST = datetime.min.replace(tzinfo=UTC)
_NOT_WORD = re.compile(r"\W+")


def title_of(entry: Entry) -> str:
    """What a reason calls an entry: its baseline title, else its slug or id."""
    title = entry.fields.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    return entry.slug or entry.id


def tags_of(entry: Entry) -> tuple[str, ...]:
    tags = entry.fields.get("tags")
    if not isinstance(tags, list):
        return ()
    return tuple(tag for tag in tags if isinstance(tag, str) and tag.strip())


def topics_of(content_type: str, tags: Sequence[str]) -> frozenset[str]:
    """What an entry is about, for keeping lists varied: its tags, or, for an entry editors
    left untagged, its content type (so a catalogue without tags still varies by type)."""
    return frozenset(tags) if tags else frozenset({content_type})


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield _MARKUP.sub(" ", value)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield _MARKUP.sub(" ", item)


def entry_text(entry: Entry) -> str:
    """The words an entry is compared by: every string field (HTML stripped) and its tags.

    Each tag also becomes one token of its own (``tag_trail_running``), so two entries
    tagged alike match on the tag even when their prose uses other words.
    """
    words: list[str] = []
    for name in sorted(entry.fields):
        if name not in NOT_TEXT and name != "tags":
            words.extend(_strings(entry.fields[name]))
    for tag in tags_of(entry):
        token = "tag_" + _NOT_WORD.sub("_", tag.lower()).strip("_")
        words.extend([tag, *[token] * TAG_WEIGHT])
    return "\n".join(words)


@dataclass(frozen=True)
class Indexed:
    """What recommending needs to know of an entry besides its words."""

    id: str
    content_type: str
    title: str
    updated_at: datetime | None
    tags: tuple[str, ...] = ()


class ContentIndex:
    """The catalogue's entries as L2-normalized TF-IDF rows, so a dot product is a cosine.

    Entries are kept once per id (the first listed wins, as a catalogue lists one locale
    first). The vectorizer stays with the index, so an entry published after it was built
    can still be compared with everything in it.
    """

    def __init__(self, entries: Sequence[Entry], vectorizer: Any, matrix: Any):
        self.entries: dict[str, Entry] = {entry.id: entry for entry in entries}
        self.items: dict[str, Indexed] = {
            entry.id: Indexed(
                entry.id, entry.content_type, title_of(entry), entry.updated_at, tags_of(entry)
            )
            for entry in entries
        }
        self.topics: dict[str, frozenset[str]] = {  # for diversity and exploration
            item.id: topics_of(item.content_type, item.tags) for item in self.items.values()
        }
        self._row = {entry.id: row for row, entry in enumerate(entries)}
        self._ids = [entry.id for entry in entries]
        self._vectorizer = vectorizer
        self._matrix = matrix  # scipy sparse, one row per entry; None when nothing has words
        self._neighbours: dict[str, dict[str, float]] = {}
        self.newest: list[Indexed] = sorted(  # for "new": sorted once, not per request
            self.items.values(),
            key=lambda item: (item.updated_at or _OLDEST, item.id),
            reverse=True,
        )

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> ContentIndex:
        unique: dict[str, Entry] = {}
        for entry in entries:
            unique.setdefault(entry.id, entry)
        kept = list(unique.values())
        texts = [entry_text(entry) for entry in kept]
        if not any(text.strip() for text in texts):
            return cls(kept, None, None)
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # nothing but stop words
            return cls(kept, None, None)
        return cls(kept, vectorizer, matrix.tocsr())

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._row

    def __len__(self) -> int:
        return len(self._ids)

    def _vector(self, entry: Entry) -> Any:
        """The entry's row, or its words put through the fitted vectorizer if it is new."""
        if self.entries.get(entry.id) == entry:
            return self._matrix[self._row[entry.id]]
        return self._vectorizer.transform([entry_text(entry)])

    def scores(self, entry: Entry) -> dict[str, float]:
        """Cosine similarity of ``entry`` to its `NEIGHBOURS` most similar indexed entries
        (any word in common makes one); treat the answer as read-only.

        An indexed entry's neighbours are remembered: a page of twenty entries, each asking
        for recommendations, compares the same few history entries twenty times.
        """
        if self._matrix is None:
            return {}
        indexed = self.entries.get(entry.id) == entry
        if indexed and entry.id in self._neighbours:
            return self._neighbours[entry.id]
        row = (self._matrix @ self._vector(entry).T).toarray().ravel()
        near = np.flatnonzero(row > 0)
        if len(near) > NEIGHBOURS:
            near = near[np.argpartition(-row[near], NEIGHBOURS - 1)[:NEIGHBOURS]]
        found = {self._ids[i]: float(row[i]) for i in near}
        if indexed:
            if len(self._neighbours) >= CACHED:
                del self._neighbours[next(iter(self._neighbours))]
            self._neighbours[entry.id] = found
        return found

    def term_rows(self, ids: Sequence[str]) -> tuple[Any, tuple[str, ...]]:
        """The TF-IDF rows of ``ids`` as a len(ids) x terms CSR matrix (empty for an id not
        indexed), and each column's term.

        These are the rows similarity compares, read rather than computed again, so a model
        that learns from an entry's words sees the same words, weighed the same way.
        """
        from scipy.sparse import csr_matrix

        if self._matrix is None:
            return csr_matrix((len(ids), 0)), ()
        terms = tuple(str(term) for term in self._vectorizer.get_feature_names_out())
        known = [(i, self._row[entry_id]) for i, entry_id in enumerate(ids) if entry_id in self]
        picked = csr_matrix(
            (np.ones(len(known)), ([i for i, _ in known], [row for _, row in known])),
            shape=(len(ids), len(self._ids)),
        )
        return (picked @ self._matrix).tocsr(), terms

    def pairwise(self, ids: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Cosine similarity between each pair of ``ids`` (0 for an id not in the index)."""
        size = len(ids)
        result = np.zeros((size, size))
        known = [(i, self._row[entry_id]) for i, entry_id in enumerate(ids) if entry_id in self]
        if self._matrix is None or not known:
            return result
        rows = self._matrix[[row for _, row in known]]
        block = (rows @ rows.T).toarray()
        at = [i for i, _ in known]
        result[np.ix_(at, at)] = block
        return result
