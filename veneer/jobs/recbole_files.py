"""Reading RecBole's atomic files, the format public recommendation data sets ship in.

``NAME.inter`` is tab-separated with a header naming each column and its type
(``user_id:token	item_id:token	rating:float	timestamp:float``); every row is one
interaction, and every rating, high or low, counts as one positive (the protocol's rule).
``NAME.item``, when present, gives items tokens (MovieLens: genres in ``class:token_seq``),
which the hybrid LightFM candidate can use as item features.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from veneer.recommend.models.interactions import Interactions


class FormatError(ValueError):
    """A file that is not what the format says, naming the file, line and field."""


@dataclass(frozen=True, eq=False)
class Dataset:
    name: str
    interactions: Interactions
    item_features: Any = None  # items x tokens sparse matrix, or None without a .item file


def _columns(path: Path, header: list[str]) -> dict[str, int]:
    """Column index by field name, the type suffix dropped."""
    return {cell.split(":", 1)[0].strip(): index for index, cell in enumerate(header)}


def _only(directory: Path, suffix: str) -> Path | None:
    found = sorted(directory.glob(f"*{suffix}"))
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        raise FormatError(f"{directory}: more than one {suffix} file ({names})")
    return found[0] if found else None


def read_interactions(path: Path) -> Interactions:
    """The interactions of one ``.inter`` file; the timestamp is 0 where it has none."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        if header is None:
            raise FormatError(f"{path}: empty file, expected a header line")
        columns = _columns(path, header)
        for needed in ("user_id", "item_id"):
            if needed not in columns:
                raise FormatError(f"{path}: the header has no {needed} column")
        user, item = columns["user_id"], columns["item_id"]
        stamp = columns.get("timestamp")
        records = []
        for line, row in enumerate(rows, start=2):
            if not row:
                continue
            try:
                when = float(row[stamp]) if stamp is not None else 0.0
                records.append((row[user], row[item], when))
            except (IndexError, ValueError) as exc:
                raise FormatError(f"{path}, line {line}: {exc}") from exc
    return Interactions.from_records(records)


def read_item_tokens(path: Path, items: tuple[str, ...]) -> Any:
    """Items x tokens 0/1 matrix from the ``token_seq`` columns of a ``.item`` file."""
    from scipy.sparse import csr_matrix

    index = {item: row for row, item in enumerate(items)}
    rows: list[int] = []
    tokens: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, [])
        columns = _columns(path, header)
        if "item_id" not in columns:
            raise FormatError(f"{path}: the header has no item_id column")
        sequences = [i for i, cell in enumerate(header) if cell.endswith(":token_seq")]
        # titles are token sequences too, but words of a title are not features
        sequences = [i for i in sequences if not header[i].startswith(("movie_title", "title"))]
        columns_of_tokens: list[int] = []
        for row in reader:
            if not row or row[columns["item_id"]] not in index:
                continue
            for column in sequences:
                for token in row[column].split() if column < len(row) else []:
                    rows.append(index[row[columns["item_id"]]])
                    columns_of_tokens.append(tokens.setdefault(f"{column}:{token}", len(tokens)))
    data = np.ones(len(rows))
    matrix = csr_matrix((data, (rows, columns_of_tokens)), shape=(len(items), len(tokens)))
    matrix.data[:] = 1.0
    return matrix


def read_recbole(directory: Path) -> Dataset:
    """The data set in a directory of atomic files: its one ``.inter``, and ``.item`` if any."""
    if not directory.is_dir():
        raise FormatError(f"{directory}: not a directory")
    inter = _only(directory, ".inter")
    if inter is None:
        raise FormatError(f"{directory}: no .inter file")
    interactions = read_interactions(inter)
    item_file = _only(directory, ".item")
    features = None if item_file is None else read_item_tokens(item_file, interactions.item_ids)
    return Dataset(inter.stem, interactions, features)
