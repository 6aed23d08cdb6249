"""Veneer as pip users get it: the wheel, installed in a clean virtualenv, migrates a database.

Everything else runs from the source checkout, where files that the wheel forgets are still
on disk. This test builds the sdist and the wheel from it (out of a copy of what the sdist
is made of, so the checkout stays untouched), installs the wheel with the lock's versions
into a virtualenv that sees nothing of the checkout, and runs ``veneer migrate`` from a
folder outside it.

It is the one test that installs from the package index: uv, which ``make`` installs with
the dev extra, takes the dependencies from its cache when it has them, in seconds.
Deselect it with ``-m "not index"``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"

pytestmark = pytest.mark.index


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_the_installed_wheel_migrates_a_fresh_database(tmp_path: Path) -> None:
    dist, venv, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    source = tmp_path / "source"  # building writes veneer.egg-info beside the sources
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "veneer", source / "veneer", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    _run(UV, "build", "--quiet", "--out-dir", dist, source, cwd=tmp_path)
    (wheel,) = dist.glob("veneer-*.whl")
    _run(UV, "venv", "--quiet", "--python", sys.executable, venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(UV, "pip", "install", "--quiet", "--python", python, "--constraint",
         ROOT / "constraints.txt", wheel, cwd=tmp_path)  # fmt: skip

    installed = _run(python, "-c", "import veneer; print(veneer.__file__)", cwd=elsewhere)
    assert Path(installed.strip()).is_relative_to(venv), "veneer must come from the wheel"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VENEER_", "PYTHON"))}
    env["VENEER_DATABASE_URL"] = "sqlite:///veneer.db"
    output = _run(venv / "bin" / "veneer", "migrate", cwd=elsewhere, env=env)

    assert "database at head" in output
    with sqlite3.connect(elsewhere / "veneer.db") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert {"alembic_version", "api_keys", "profiles", "segments", "events"} <= tables
