"""The shell examples of a Markdown document, as a reader would type them, with what they print.

A ``sh`` block is an example to run, unless the line before its fence is an HTML comment
saying why not (``<!-- not run by tests: needs a Strapi server -->``), which a reader never
sees. Inside a block, comment lines right after a command that start with ``# {`` or ``# [``
(continued by lines starting with ``#  ``) are the JSON the command prints; other comments
are prose. Each step is the text up to such an expectation.

A command expected to fail shows what it says: comment lines right after it starting with
``# error:`` (continued by lines starting with ``# ``) are text it must print, and it must
exit with a failure.

An expectation may elide what changes from run to run, as the README shows it: ``{...}`` or
``"..."`` stands for any value, and ``...`` as the last member of an object or array for any
further members.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

FENCE = re.compile(r"^```(\S*)\s*$")
ANY, MORE = "@@any@@", "@@more@@"
SKIP = re.compile(r"^<!--\s*not run by tests:\s*(.+?)\s*-->\s*$")


@dataclass(frozen=True)
class Step:
    """Shell text to run, and the JSON its last line must equal (None: only that it runs)."""

    line: int  # where the step starts in the document, for messages
    script: str
    expected: Any = None
    error: str | None = None  # the step must fail, printing this


@dataclass(frozen=True)
class Block:
    line: int
    steps: list[Step]
    skipped: str | None = None  # why it is not run


def blocks(markdown: str) -> list[Block]:
    """Every ``sh`` block of ``markdown``, in order, split into steps."""
    lines = markdown.splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index])
        if not opened or not opened.group(1):
            index += 1
            continue
        start = index
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
        if opened.group(1) == "sh":
            before = SKIP.match(lines[start - 1]) if start else None
            found.append(
                Block(start + 2, _steps(lines[start + 1 : end], start + 2), before and before[1])
            )
        index = end + 1
    return found


def _steps(body: list[str], first_line: int) -> list[Step]:
    steps: list[Step] = []
    script: list[str] = []
    script_line = first_line
    index = 0
    while index < len(body):
        text = body[index]
        if script and text.startswith("# error:"):
            said = [text[2:]]
            index += 1
            while index < len(body) and body[index].startswith("# "):
                said.append(body[index][2:].strip())
                index += 1
            steps.append(Step(script_line, "\n".join(script), error=" ".join(said)))
            script, script_line = [], first_line + index
            continue
        if script and re.match(r"^# [\[{]", text):
            expected = [text[2:]]
            index += 1
            while index < len(body) and body[index].startswith("#  "):
                expected.append(body[index][1:].strip())
                index += 1
            steps.append(Step(script_line, "\n".join(script), expectation(" ".join(expected))))
            script, script_line = [], first_line + index
            continue
        if not script:
            script_line = first_line + index
        script.append(text)
        index += 1
    if any(line.strip() and not line.lstrip().startswith("#") for line in script):
        steps.append(Step(script_line, "\n".join(script)))
    return steps


def expectation(text: str) -> Any:
    """The JSON a README shows, with its elisions turned into markers `matches` knows."""
    text = re.sub(r"\{\s*\.\.\.\s*\}|\"\.\.\.\"", f'"{ANY}"', text)
    text = re.sub(r",\s*\.\.\.\s*\}", f', "{MORE}": true}}', text)
    text = re.sub(r",\s*\.\.\.\s*\]", f', "{MORE}"]', text)
    return json.loads(text)


def matches(expected: Any, actual: Any) -> bool:
    if expected == ANY:
        return True
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        keys = set(expected) - {MORE}
        if keys - set(actual) or (MORE not in expected and set(actual) - keys):
            return False
        return all(matches(expected[k], actual[k]) for k in keys)
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        head = expected[:-1] if expected and expected[-1] == MORE else expected
        if len(actual) < len(head) or (head is expected and len(actual) != len(head)):
            return False
        return all(matches(e, a) for e, a in zip(head, actual, strict=False))
    return bool(expected == actual)
