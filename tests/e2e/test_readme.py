"""The shell examples of the README and the case study, run as written against `veneer demo`,
print what they say.

A newcomer copies a document's examples in order into a shell beside `make demo`; so does
this test, in one bash session per document (functions like ``q`` carry over), with only the
port changed. A step whose document shows JSON must print exactly that JSON (key order
aside); every step must succeed.
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

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CASE_STUDY = ROOT / "docs" / "case-study.md"
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
    _run_document(README, tmp_path)


def test_the_case_study_runs_from_nothing_to_a_measured_result(tmp_path: Path) -> None:
    _run_document(CASE_STUDY, tmp_path)


def _run_document(document: Path, tmp_path: Path) -> None:
    """Every runnable step of ``document``, in order, against a fresh demo."""
    name = document.relative_to(ROOT)
    runnable = [b for b in blocks(document.read_text()) if b.skipped is None]
    steps = [step for block in runnable for step in block.steps]
    assert len(steps) > 5, f"the examples of {name} were not found"
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
        where = f"{name} line {step.line}"
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
                f"{where}: printed\n  {printed[-2000:]}\nbut {name} shows\n"
                f"  {json.dumps(step.expected)}"
            )
    if problems:
        pytest.fail("\n\n".join(problems))
