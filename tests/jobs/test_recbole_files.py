"""RecBole's atomic files as MovieLens ships them in the recbole wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from veneer.jobs.recbole_files import FormatError, read_recbole

INTER = (
    "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
    "196\t242\t3\t881250949\n"
    "186\t302\t3\t891717742\n"
    "196\t302\t1\t881250000\n"
)
ITEMS = (
    "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
    "242\tKolya\t1996\tComedy\n"
    "302\tL.A. Confidential\t1997\tCrime Film-Noir Mystery Thriller\n"
    "999\tNobody Rated It\t1990\tDrama\n"
)


def test_every_rating_is_one_positive_with_its_timestamp(tmp_path: Path) -> None:
    (tmp_path / "ml.inter").write_text(INTER, encoding="utf-8")
    dataset = read_recbole(tmp_path)
    interactions = dataset.interactions
    assert dataset.name == "ml"
    assert interactions.user_ids == ("196", "186")
    assert interactions.item_ids == ("242", "302")
    assert interactions.matrix().toarray().tolist() == [[1.0, 1.0], [0.0, 1.0]]
    assert sorted(interactions.timestamps.tolist()) == [881250000, 881250949, 891717742]
    assert dataset.item_features is None


def test_item_tokens_become_features_titles_do_not(tmp_path: Path) -> None:
    (tmp_path / "ml.inter").write_text(INTER, encoding="utf-8")
    (tmp_path / "ml.item").write_text(ITEMS, encoding="utf-8")
    features = read_recbole(tmp_path).item_features
    assert features.shape == (2, 5)  # Comedy; Crime, Film-Noir, Mystery, Thriller
    assert features.sum(axis=1).ravel().tolist() == [[1.0, 4.0]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file, expected a header line"),
        ("user_id:token\trating:float\n1\t3\n", "the header has no item_id column"),
        ("user_id:token\titem_id:token\ttimestamp:float\n1\t2\tsoon\n", "line 2: could not"),
        ("user_id:token\titem_id:token\ttimestamp:float\n1\t2\n", "line 2: list index"),
    ],
)
def test_a_bad_file_is_named_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.inter").write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        read_recbole(tmp_path)


def test_a_directory_without_interactions_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"no \.inter file"):
        read_recbole(tmp_path)
    with pytest.raises(FormatError, match="not a directory"):
        read_recbole(tmp_path / "missing")
