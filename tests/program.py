"""The installed `veneer` program, run in its own process as a user runs it.

Commands that train (LightFM and BLAS threads, an event loop over the database) run this way
rather than in the test's process: their threads and loops end with the process, and cannot
outlive a test or meet the next one's.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.servers import veneer_env
from veneer.settings import Settings

VENEER = Path(sys.executable).parent / "veneer"


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    output: str  # stdout and stderr


def environment(settings: Settings) -> dict[str, str]:
    """The environment that points `veneer` at the test's database (and nothing else)."""
    return veneer_env(database_url=settings.database_url, secret=settings.signing_secret())


def veneer(args: list[str], env: dict[str, str]) -> Result:
    """``veneer ARGS`` with ``env``."""
    done = subprocess.run(
        [str(VENEER), *args], env=env, capture_output=True, text=True, timeout=600
    )
    return Result(done.returncode, done.stdout, done.stdout + done.stderr)
