"""Content similarity over the sample shop: entries about the same things come out close."""

from __future__ import annotations

import dataclasses

from tests.recommend.shop import entries, entry, index, tags
from veneer.entries import Entry
from veneer.recommend.content_index import NEIGHBOURS, ContentIndex, entry_text, title_of


def _nearest(of: Entry, n: int = 5) -> list[str]:
    scores = index().scores(of)
    return sorted((k for k in scores if k != of.id), key=lambda k: -scores[k])[:n]


def test_a_tents_nearest_entries_are_about_camping_and_the_trail() -> None:
    nearest = _nearest(entry("tent-x2"))
    assert all(tags(other) & tags("tent-x2") for other in nearest), nearest
    assert sum("camping" in tags(other) for other in nearest) >= 3, nearest


def test_climbing_entries_are_each_others_nearest() -> None:
    for climbing in ("quickdraw-set-six", "granite-chalk-bag", "rope-care-basics"):
        assert all("climbing" in tags(other) for other in _nearest(entry(climbing), 4))


def test_an_entry_is_most_similar_to_itself_and_scores_are_cosines() -> None:
    scores = index().scores(entry("kettle-pot-set"))
    assert max(scores, key=lambda k: scores[k]) == "kettle-pot-set"
    assert abs(scores["kettle-pot-set"] - 1.0) < 1e-9
    assert all(0 < score <= 1.0 + 1e-9 for score in scores.values())


def test_an_entry_published_after_the_index_was_built_is_compared_by_its_words() -> None:
    new = Entry(
        id="ice-screw",
        content_type="product",
        slug="ice-screw",
        fields={
            "title": "Glacier Ice Screw",
            "summary": "A climbing protection piece for ice routes.",
            "tags": ["climbing"],
        },
    )
    assert new.id not in index()
    nearest = _nearest(new, 3)
    assert all("climbing" in tags(other) for other in nearest), nearest


def test_an_edited_entry_is_compared_as_it_is_now_not_as_it_was_indexed() -> None:
    edited = dataclasses.replace(
        entry("kettle-pot-set"),
        fields={"title": "Chalk and rope", "tags": ["climbing", "bouldering"]},
    )
    assert "climbing" in tags(_nearest(edited, 1)[0])


def test_pairwise_is_symmetric_with_zero_for_unknown_ids() -> None:
    ids = ["tent-x2", "summit-lite-1-tent", "no-such-entry"]
    grid = index().pairwise(ids)
    assert grid[0, 1] == grid[1, 0] > 0.1
    assert grid[2].tolist() == [0.0, 0.0, 0.0]


def test_text_takes_string_fields_and_tags_but_not_ids_or_markup() -> None:
    text = entry_text(
        Entry(
            id="x",
            content_type="post",
            slug="x",
            fields={
                "title": "<b>Bold</b> claims",
                "sku": "RO-123",
                "price": 12.0,
                "tags": ["trail-running"],
            },
        )
    )
    assert "Bold" in text and "<b>" not in text
    assert "RO-123" not in text and "12" not in text
    assert "tag_trail_running" in text


def test_an_index_of_nothing_or_of_no_words_finds_nothing() -> None:
    assert ContentIndex.build([]).scores(entry("tent-x2")) == {}
    bare = Entry(id="bare", content_type="product", slug=None, fields={"price": 3})
    assert ContentIndex.build([bare]).scores(bare) == {}


def test_titles_fall_back_to_the_slug_then_the_id() -> None:
    assert title_of(entry("tent-x2")) == "Trailhead X2 Tent"
    assert title_of(Entry(id="a", content_type="t", slug="s", fields={})) == "s"
    assert title_of(Entry(id="a", content_type="t", slug=None, fields={"title": " "})) == "a"
    assert len(entries()) == len(index())


def test_a_large_catalogue_keeps_only_each_entrys_nearest_neighbours() -> None:
    def item(n: int) -> Entry:
        words = "rope " + " ".join(f"w{k}" for k in range(n % 7))
        return Entry(id=f"e{n}", content_type="t", slug=None, fields={"title": words})

    big = ContentIndex.build([item(n) for n in range(NEIGHBOURS + 100)])
    scores = big.scores(item(6))
    assert len(scores) == NEIGHBOURS
    assert {f"e{n}" for n in range(6, NEIGHBOURS + 100, 7)} <= set(scores)  # the twins
    assert big.scores(item(6)) is scores  # remembered for an indexed entry
