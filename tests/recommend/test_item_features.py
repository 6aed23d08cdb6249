"""Item features from the catalogue: one row per trained item id, in its order, with the
entry's content type, tags, categories and strongest words; an entry gone from the CMS is
an empty row."""

from __future__ import annotations

import numpy as np
import pytest

from veneer.entries import Entry
from veneer.recommend.content_index import ContentIndex
from veneer.recommend.item_features import categories_of, item_features


def entry(entry_id: str, content_type: str, title: str, tags: list[str], **fields: object) -> Entry:
    return Entry(entry_id, content_type, entry_id, {"title": title, "tags": tags, **fields})


CATALOGUE = [
    entry("tent", "product", "Trailhead tent for camping", ["Camping", "hiking"], category="tents"),
    entry("stove", "product", "Canister stove for camping", ["camping"], category="kitchen"),
    entry("pot", "product", "Kettle pot", ["camping", "cooking"], categories=["kitchen", "pots"]),
    entry("meals", "article", "One-pot camp meals", ["cooking"], body="Cooking at camp."),
    entry("shoes", "article", "Choosing trail shoes", ["running"], body="Trail shoes."),
]
INDEX = ContentIndex.build(CATALOGUE)


def as_dicts(item_ids: list[str]) -> tuple[list[dict[str, float]], tuple[str, ...]]:
    built = item_features(INDEX, item_ids)
    dense = built.matrix.toarray()
    return [
        {name: float(v) for name, v in zip(built.names, line, strict=True) if v} for line in dense
    ], built.names


def test_rows_follow_the_item_ids_and_an_entry_gone_from_the_cms_is_empty() -> None:
    item_ids = ["pot", "gone", "tent", "shoes", "stove", "meals"]
    built = item_features(INDEX, item_ids)

    assert built.matrix.shape == (6, len(built.names))
    assert built.matrix.dtype == np.float32
    assert built.missing == ("gone",)
    assert built.matrix[1].nnz == 0
    rows, _ = as_dicts(item_ids)
    assert rows[0]["category:kitchen"] > 0 and rows[2]["tag:camping"] > 0
    assert rows[3]["type:article"] > 0 and "type:product" not in rows[3]
    # every kind present in an entry has an equal share of a row summing to 1
    sums = np.asarray(built.matrix.sum(axis=1)).ravel()
    assert sums == pytest.approx([1, 0, 1, 1, 1, 1], abs=1e-6)


def test_content_type_tags_and_categories_are_columns_shared_by_two_entries() -> None:
    rows, names = as_dicts(["tent", "stove", "pot", "meals", "shoes"])
    columns = {n for n in names if not n.startswith("word:")}

    assert columns == {
        "type:article",
        "type:product",
        "tag:camping",  # "Camping" and "camping" are one tag
        "tag:cooking",
        "category:kitchen",
    }  # hiking, running, tents, pots: held by one entry each, a second identity column
    tent, stove, pot, meals, shoes = rows
    # each kind the entry has takes an equal share: the tent has no shared category
    assert tent["type:product"] == tent["tag:camping"] == pytest.approx(1 / 3)
    assert stove["type:product"] == stove["category:kitchen"] == pytest.approx(1 / 4)
    assert shoes == {"type:article": 1.0}  # its tag and words are its own
    assert "type:article" in meals and "type:product" not in meals
    assert pot["tag:camping"] == pot["tag:cooking"]  # each of two tags weighs half its kind
    assert pot["category:kitchen"] == pot["type:product"]  # pots dropped, kitchen takes it all
    assert "tag:camping" in tent and "tag:hiking" not in tent


def test_words_are_the_strongest_terms_of_the_similarity_index_without_tag_tokens() -> None:
    _, names = as_dicts(["tent", "stove", "pot", "meals", "shoes"])
    words = {n.removeprefix("word:") for n in names if n.startswith("word:")}

    assert words == {"camping", "cooking", "kitchen", "pot"}  # the category is text too
    assert not {"trailhead", "shoes", "trail"} & words  # one entry's words: no column
    built = item_features(INDEX, ["tent", "stove"], top_words=1)
    assert all(row.nnz <= 2 + 1 + 1 for row in built.matrix)  # type, tag, category, one word


def test_a_catalogue_without_words_or_shared_features_gives_no_columns() -> None:
    lonely = ContentIndex.build([Entry("a", "product", "a", {}), Entry("b", "article", "b", {})])
    built = item_features(lonely, ["a", "b", "c"])

    assert built.matrix.shape == (3, 0) and built.names == ()
    assert built.counts() == {"type": 0, "tag": 0, "category": 0, "word": 0}


def test_params_count_the_columns_of_each_kind() -> None:
    built = item_features(INDEX, ["tent", "stove", "pot", "meals", "gone"])
    params = built.as_params()

    assert params["used"] is True
    assert params["columns"] == built.counts()
    assert built.counts()["type"] == 1 and built.counts()["category"] == 1
    assert (params["entries"], params["notInCatalogue"]) == (4, 1)


def test_categories_read_one_string_or_a_list() -> None:
    assert categories_of(entry("x", "product", "X", [], category=" Tents ")) == ("tents",)
    assert categories_of(entry("x", "product", "X", [], categories=["a", 3, "b"])) == ("a", "b")
    assert categories_of(entry("x", "product", "X", [])) == ()
