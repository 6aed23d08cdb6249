"""The README's shell examples, run as written against `veneer demo`, print what it says.

A newcomer copies them in order into a shell beside `make demo`; so does this test, in one
bash session (functions like ``q`` carry over), with only the port changed. A step whose
README shows JSON must print exactly that JSON (key order aside); every step must succeed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.demo import VENV_BIN, running_demo
from tests.e2e.readme_blocks import Step, blocks, matches

README = Path(__file__).resolve().parents[2] / "README.md"
MARK = "@@readme-step"
SCRIPT_SECONDS = 600


def _script(steps: list[Step], port: int) -> str:
    """One bash script: each step, then a marker line with its number and exit status.

    A step's errors are part of what it printed, as in a terminal, so a failure shows them.
    """
    parts = ["exec 2>&1"]
    for number, step in enumerate(steps):
        text = step.script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        parts.append(f"{text}\nprintf '\\n{MARK} {number} %s\\n' \"$?\"")
    return "\n".join(parts) + "\n"


def _outputs(stdout: str) -> dict[int, tuple[int, str]]:
    """Step number -> (exit status, what it printed)."""
    found: dict[int, tuple[int, str]] = {}
    start = 0
    for marker in re.finditer(rf"^{MARK} (\d+) (\d+)$", stdout, re.M):
        found[int(marker[1])] = (int(marker[2]), stdout[start : marker.start()].strip())
        start = marker.end()
    return found


def _last_json(printed: str) -> object:
    for line in reversed(printed.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def test_the_readme_examples_print_what_the_readme_says(tmp_path: Path) -> None:
    runnable = [b for b in blocks(README.read_text()) if b.skipped is None]
    steps = [step for block in runnable for step in block.steps]
    assert len(steps) > 5, "the README's examples were not found"
    (tmp_path / ".venv").symlink_to(VENV_BIN.parent, target_is_directory=True)

    with running_demo(tmp_path) as demo:
        done = subprocess.run(
            ["bash", "-c", _script(steps, demo.port)],
            cwd=tmp_path,
            env={**demo.env, "HOME": os.environ.get("HOME", str(tmp_path))},
            capture_output=True,
            text=True,
            timeout=SCRIPT_SECONDS,
        )

    outputs = _outputs(done.stdout)
    problems = []
    for number, step in enumerate(steps):
        where = f"README.md line {step.line}"
        if number not in outputs:
            problems.append(f"{where}: never finished\n{done.stderr[-2000:]}")
            break
        status, printed = outputs[number]
        if step.error is not None:
            if status == 0 or step.error not in " ".join(printed.split()):
                problems.append(
                    f"{where}: should fail saying\n  {step.error}\nbut exited {status}, printing"
                    f"\n  {printed[-2000:]}"
                )
        elif status != 0:
            problems.append(f"{where}: exited {status}\n{printed[-2000:]}")
        elif step.expected is not None and not matches(step.expected, _last_json(printed)):
            problems.append(
                f"{where}: printed\n  {printed[-2000:]}\nbut the README shows\n"
                f"  {json.dumps(step.expected)}"
            )
    if problems:
        pytest.fail("\n\n".join(problems))
