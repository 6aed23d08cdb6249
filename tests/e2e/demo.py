"""`veneer demo` as a user starts it: a real server on 127.0.0.1, in a folder of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.postgres import free_port

STARTUP_SECONDS = 60
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Demo:
    base: str  # http://127.0.0.1:PORT
    port: int
    folder: Path  # its working directory: .veneer/ (the database) is made there
    env: dict[str, str]  # what a shell beside it would have: no VENEER_* of the test run


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENEER_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


@contextmanager
def running_demo(folder: Path, **settings: str) -> Iterator[Demo]:
    """Start `veneer demo` in ``folder`` on a free port; stop it when done.

    ``settings`` become ``VENEER_*`` variables (``content="file:/..."``), as a user exports them.
    """
    port = free_port()
    env = clean_env()
    env.update({f"VENEER_{name.upper()}": value for name, value in settings.items()})
    process = subprocess.Popen(
        [str(VENV_BIN / "veneer"), "demo"],
        cwd=folder,
        env={**env, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    output = ""
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"veneer demo exited early:\n{process.stdout.read() if process.stdout else ''}"
                )
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("veneer demo did not answer /health within a minute")
            time.sleep(0.1)  # polling for readiness, not waiting in place of it
        yield Demo(base, port, folder, env)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "pk_demo" in output and "sk_demo" in output
