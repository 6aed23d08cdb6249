"""Which JSON values Veneer can keep: what orjson and both databases' JSON can hold.

Clients send free-form JSON (segment rules, traits, event properties). Python's integers are
unbounded and a GraphQL literal may spell ``1e400``, but orjson refuses to encode an integer
past 64 bits, SQLite and PostgreSQL bind at most a signed 64-bit integer, and PostgreSQL's
``jsonb`` cannot hold a NUL character. A value that breaks one of these fails later, at a
write, a query or an encode, far from the request that sent it (and then on every read of
it). So values are checked where they come in, and the answer names the bad node.

Pure: takes a decoded JSON value, returns the first problem found or None.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_DEPTH = 64  # objects and arrays inside one another: the encoders that store them recurse
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DecodeError = json.JSONDecodeError  # orjson's is a subclass: one except catches both
# Where an integer might not fit in 64 bits: a run of 19 digits, found as a run of zeros once
# every digit is one. A regular expression took three times as long as decoding the body.
_DIGITS_AS_ZEROS = bytes.maketrans(b"0123456789", b"0000000000")
_LONG_RUN = b"0" * 19


def loads(data: bytes | str) -> Any:
    """Decode a request body: orjson, unless it holds an integer orjson would round.

    orjson reads an integer past 64 bits as the nearest float, so ``99999999999999999999999``
    would arrive as ``1e+23`` and be stored as a number nobody sent. Bodies with a run of 19
    or more digits (rare, and cheap to spot) are decoded by the standard library instead,
    which keeps the integer exactly, for `find_unstorable` to refuse by name.
    """
    raw = data.encode() if isinstance(data, str) else data
    if _LONG_RUN in raw.translate(_DIGITS_AS_ZEROS):
        try:
            return json.loads(raw)
        except RecursionError as exc:  # orjson answers such nesting with a DecodeError
            raise DecodeError("nested too deeply to decode", "", 0) from exc
    return orjson.loads(raw)


@dataclass(frozen=True)
class JsonProblem:
    """``path`` is a JSONPath to the bad node (``$.all[0].value``), ``reason`` says why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def under(self, name: str) -> str:
        """The path as a field name below ``name``: ``properties.items[0].price``."""
        return name + self.path.removeprefix("$")


def _child(path: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace('"', '\\"').replace("\0", "\\u0000")
    return f'{path}["{escaped}"]'


def _scalar_problem(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if INT64_MIN <= value <= INT64_MAX:
            return None
        return "integer out of range (must fit in 64 bits)"
    if isinstance(value, float):
        return None if math.isfinite(value) else "number must be finite"
    if isinstance(value, str):
        return "text must not contain the NUL character (\\u0000)" if "\0" in value else None
    return f"not a JSON value ({type(value).__name__})"


def _scalar_fits(node: object) -> bool:
    """True for plain JSON scalars that need no further look; False means "look closer"."""
    kind = type(node)
    if kind is str:
        return "\0" not in node  # type: ignore[operator]
    if kind is int:
        return INT64_MIN <= node <= INT64_MAX  # type: ignore[operator]
    if kind is float:
        return math.isfinite(node)  # type: ignore[arg-type]
    return node is None or kind is bool


def _plainly_storable(value: object, max_depth: int) -> bool:
    """The common case, fast: plain dicts, lists and scalars with nothing wrong anywhere.

    Builds no paths and so costs a fraction of the full walk, which runs only when this
    answers False, to find and name the problem (or to accept what this did not recognise).
    """
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        kind = type(node)
        if kind is dict:
            if depth > max_depth:
                return False
            for key, child in node.items():  # type: ignore[attr-defined]
                if type(key) is not str or "\0" in key:
                    return False
                if type(child) in _CONTAINERS:
                    stack.append((child, depth + 1))
                elif not _scalar_fits(child):
                    return False
        elif kind is list:
            if depth > max_depth:
                return False
            for child in node:  # type: ignore[attr-defined]
                if type(child) in _CONTAINERS:
                    stack.append((child, depth + 1))
                elif not _scalar_fits(child):
                    return False
        elif not _scalar_fits(node):
            return False
    return True


_CONTAINERS = (dict, list)


def find_unstorable(
    value: object, path: str = "$", max_depth: int = MAX_DEPTH
) -> JsonProblem | None:
    """The first node of ``value`` that cannot be stored and read back as it was sent.

    Walks with an explicit stack, so a deeply nested value cannot exhaust the recursion limit
    here; nesting past ``max_depth`` is refused, since writing it would exhaust it later.
    """
    if _plainly_storable(value, max_depth):
        return None
    stack: list[tuple[str, object, int]] = [(path, value, 0)]
    while stack:
        where, node, depth = stack.pop()
        if isinstance(node, Mapping | list) and depth > max_depth:
            # named at the top: a path hundreds of levels long would help nobody
            return JsonProblem(path, f"must not nest objects and arrays more than {max_depth} deep")
        if isinstance(node, Mapping):
            children: list[tuple[str, object, int]] = []
            for key, child in node.items():
                if not isinstance(key, str):
                    return JsonProblem(where, "object keys must be text")
                if "\0" in key:
                    return JsonProblem(
                        _child(where, key), "keys must not contain the NUL character (\\u0000)"
                    )
                children.append((_child(where, key), child, depth + 1))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(
                reversed([(f"{where}[{i}]", child, depth + 1) for i, child in enumerate(node)])
            )
        else:
            reason = _scalar_problem(node)
            if reason is not None:
                return JsonProblem(where, reason)
    return None
