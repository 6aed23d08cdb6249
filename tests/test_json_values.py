"""What JSON values can be kept: signed 64-bit integers, finite numbers, text without NUL."""

from __future__ import annotations

import pytest

from veneer.json_values import (
    INT64_MAX,
    INT64_MIN,
    MAX_DEPTH,
    DecodeError,
    JsonProblem,
    find_unstorable,
    loads,
)

RANGE = "integer out of range (must fit in 64 bits)"


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        INT64_MAX,
        INT64_MIN,
        1.5e308,
        "text",
        {"a": [1, {"b": None}], "first name": "x"},
        [],
        {},
    ],
)
def test_values_both_databases_and_orjson_hold_pass(value: object) -> None:
    assert find_unstorable(value) is None


@pytest.mark.parametrize(
    ("value", "path", "reason"),
    [
        (INT64_MAX + 1, "$", RANGE),
        (INT64_MIN - 1, "$", RANGE),
        (2**70, "$", RANGE),
        ({"all": [{"value": 2**64 - 1}]}, "$.all[0].value", RANGE),
        ([1, [2, float("inf")]], "$[1][1]", "number must be finite"),
        ({"x": float("nan")}, "$.x", "number must be finite"),
        ({"first name": "a\0b"}, '$["first name"]', "must not contain the NUL character"),
        ({'say "hi"': {"a\0": 1}}, '$["say \\"hi\\""]["a\\u0000"]', "keys must not contain"),
        ({"when": object()}, "$.when", "not a JSON value (object)"),
    ],
)
def test_the_first_bad_node_is_named_by_its_path(value: object, path: str, reason: str) -> None:
    problem = find_unstorable(value)
    assert problem is not None
    assert problem.path == path
    assert reason in problem.reason


def test_the_first_problem_in_document_order_is_reported() -> None:
    problem = find_unstorable({"a": [1, 2**64], "b": float("inf")})
    assert problem == JsonProblem("$.a[1]", RANGE)
    assert str(problem) == f"$.a[1]: {RANGE}"
    assert problem.under("properties") == "properties.a[1]"


def test_deep_nesting_does_not_exhaust_the_stack() -> None:
    value: object = 2**64
    for _ in range(100_000):
        value = [value]
    problem = find_unstorable(value, max_depth=200_000)
    assert problem is not None
    assert problem.path.endswith("[0][0]")
    assert problem.reason == "integer out of range (must fit in 64 bits)"


def test_nesting_past_the_limit_is_named_at_the_top() -> None:
    value: object = 1
    for _ in range(MAX_DEPTH + 2):  # the outermost array is level 0
        value = [value]
    assert find_unstorable(value) == JsonProblem(
        "$", f"must not nest objects and arrays more than {MAX_DEPTH} deep"
    )
    assert find_unstorable(value[0]) is None  # type: ignore[index]


def test_a_deeply_nested_body_with_a_long_number_is_a_decode_error() -> None:
    """A run of 19 digits sends the body to the standard library, which recurses per level."""
    body = b"[" * 100_000 + b"1" * 19 + b"]" * 100_000
    with pytest.raises(DecodeError):
        loads(body)


@pytest.mark.parametrize(
    "text",
    [
        "99999999999999999999999",  # past 64 bits: orjson would make it 1e+23
        str(INT64_MAX + 1),
        str(INT64_MIN - 1),
        "1234567890123456789",  # 19 digits, within 64 bits
    ],
)
def test_a_long_integer_is_decoded_exactly(text: str) -> None:
    """So that `find_unstorable` refuses the number that was sent, not a float near it."""
    decoded = loads(f'{{"id": "e-1", "value": {text}}}'.encode())
    assert decoded["value"] == int(text)
    assert type(decoded["value"]) is int


def test_short_integers_and_floats_decode_as_sent() -> None:
    decoded = loads(b'{"n": 123456789012345678, "f": 1e23, "t": "2026-11-26T10:00:00Z"}')
    assert decoded == {"n": 123456789012345678, "f": 1e23, "t": "2026-11-26T10:00:00Z"}
