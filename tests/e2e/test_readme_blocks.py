"""How README examples are read: which blocks run, where steps end, what they must print."""

from __future__ import annotations

from tests.e2e.readme_blocks import Step, blocks, expectation, matches

DOCUMENT = """\
# Title

```sh
make demo
```

<!-- not run by tests: needs PostgreSQL -->
```sh
veneer migrate
```

```graphql
{ entries { edges { node { id } } } }
```

```sh
q() {  # a helper
  curl -s "$1"
}
q one
# {"data": {"a": 1}}
q two
# {"data":
#   {"b": [1, 2]}}
veneer thing   # prints a progress bar
# then a summary
veneer other
# error: no such thing; existing
# things: a, b
```
"""


def test_sh_blocks_are_found_in_order_and_others_ignored() -> None:
    found = blocks(DOCUMENT)

    assert [b.line for b in found] == [4, 9, 17]
    assert [b.skipped for b in found] == [None, "needs PostgreSQL", None]


def test_a_step_ends_at_the_json_its_command_prints() -> None:
    steps = blocks(DOCUMENT)[2].steps

    assert steps == [
        Step(17, 'q() {  # a helper\n  curl -s "$1"\n}\nq one', {"data": {"a": 1}}),
        Step(22, "q two", {"data": {"b": [1, 2]}}),
        Step(
            25,
            "veneer thing   # prints a progress bar\n# then a summary\nveneer other",
            error="error: no such thing; existing things: a, b",
        ),
    ]


def test_elided_values_and_members_match_anything_there() -> None:
    shown = expectation('{"version": 2, "cluster": {...}, "name": "...", "ids": [1, ...], ...}')

    assert matches(shown, {"version": 2, "cluster": {"id": 1}, "name": "x", "ids": [1, 5]})
    assert matches(shown, {"version": 2, "cluster": 3, "name": "y", "ids": [1], "more": 0})
    assert not matches(shown, {"version": 3, "cluster": 1, "name": "x", "ids": [1]})
    assert not matches(shown, {"version": 2, "name": "x", "ids": [1]})
    assert not matches(shown, {"version": 2, "cluster": 1, "name": "x", "ids": [2]})


def test_without_elision_the_json_must_be_the_same() -> None:
    shown = expectation('{"accepted": 1, "rejected": []}')

    assert matches(shown, {"rejected": [], "accepted": 1})
    assert not matches(shown, {"accepted": 1, "rejected": [], "withoutConsent": 0})
    assert not matches(shown, {"accepted": 1, "rejected": [{"index": 0}]})
