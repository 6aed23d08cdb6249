"""Servers a benchmark starts and stops itself: Veneer under uvicorn, a worker, Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.postgres import free_port
from tests.redis_server import redis_server

__all__ = ["free_port", "redis_server", "uvicorn_server", "veneer_env", "worker_process"]


def veneer_env(**settings: str) -> dict[str, str]:
    """The environment without the caller's VENEER_* settings, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENEER_")}
    env.update({f"VENEER_{k.upper()}": v for k, v in settings.items()})
    return env


@contextmanager
def uvicorn_server(
    app: str,
    env: dict[str, str],
    factory: bool = False,
    port: int | None = None,
    workers: int = 1,
) -> Iterator[str]:
    """``app`` (module:attribute) on 127.0.0.1, uvloop + httptools, one worker unless told."""
    port = port or free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
            *(["--factory"] if factory else []),
            *(["--workers", str(workers)] if workers > 1 else []),
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{app} did not start")
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def worker_process(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    veneer = Path(sys.executable).parent / "veneer"
    process = subprocess.Popen(
        [str(veneer), "worker", "--name", "bench"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)
