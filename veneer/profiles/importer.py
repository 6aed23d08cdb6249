"""Reading partner trait files: CSV or JSON Lines, one subject per row.

Pure: each row becomes a `TraitRow` (whose subject is a user id or an email hash; raw emails
are hashed here and never kept) or a `RowError` with its line number and the reason, so an
import can report every bad row and still load the good ones.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from veneer.events.validation import hash_email
from veneer.json_values import find_unstorable

SUBJECT_COLUMNS = {
    "user_id": "user",
    "userId": "user",
    "email": "email",
    "email_hash": "email",
    "emailHash": "email",
}
MAX_TRAITS = 200


@dataclass(frozen=True)
class TraitRow:
    line: int
    subject_kind: str  # "user" or "email"
    subject: str
    traits: dict[str, Any]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


def _scalar(text: str) -> Any:
    """CSV cells are text; numbers and booleans are read as such, the rest stays text."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _row(line: int, record: dict[str, Any]) -> TraitRow | RowError:
    subjects = [key for key in SUBJECT_COLUMNS if record.get(key) not in (None, "")]
    if len(subjects) != 1:
        return RowError(line, "needs exactly one of user_id, email or email_hash")
    key = subjects[0]
    value = str(record.pop(key)).strip()
    kind = SUBJECT_COLUMNS[key]
    if key == "email":
        if "@" not in value:
            return RowError(line, f"email: not an email address: {value!r}")
        value = hash_email(value)
    elif kind == "email" and (len(value) != 64 or not all(c in "0123456789abcdef" for c in value)):
        return RowError(line, "email_hash: must be a lower-case hex SHA-256")
    nested = record.pop("traits", None)
    traits = dict(nested) if isinstance(nested, dict) else {}
    traits.update({k: v for k, v in record.items() if k and v not in (None, "")})
    traits.pop("email", None)
    if not traits:
        return RowError(line, "no traits in this row")
    if len(traits) > MAX_TRAITS:
        return RowError(line, f"more than {MAX_TRAITS} traits")
    problem = find_unstorable(traits)
    if problem is not None:  # kept, it would fail every read of the viewer's traits
        return RowError(line, f"traits: {problem}")
    return TraitRow(line, kind, value, traits)


def read_csv(text: str) -> Iterator[TraitRow | RowError]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not set(reader.fieldnames) & set(SUBJECT_COLUMNS):
        yield RowError(1, "the header needs a user_id, email or email_hash column")
        return
    for record in reader:
        line = reader.line_num
        if None in record:
            yield RowError(line, "more cells than the header has columns")
            continue
        missing = sum(value is None for value in record.values())
        if missing:  # DictReader fills a short row's missing cells with None
            cells, columns = len(record) - missing, len(record)
            yield RowError(line, f"fewer cells than the header has columns ({cells} of {columns})")
            continue
        yield _row(
            line, {k: _scalar(v) if k not in SUBJECT_COLUMNS else v for k, v in record.items()}
        )


def read_jsonl(text: str) -> Iterator[TraitRow | RowError]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield RowError(line, f"not valid JSON: {exc.msg}")
            continue
        if not isinstance(record, dict):
            yield RowError(line, "each line must be a JSON object")
            continue
        yield _row(line, record)
