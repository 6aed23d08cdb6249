"""A real Wagtail site (pip's wagtail, SQLite) on 127.0.0.1, migrated and seeded for tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.postgres import free_port

SITE = Path(__file__).resolve().parent / "wagtail_site"
ROOT = Path(__file__).resolve().parents[2]


class WagtailServer:
    def __init__(self, data_dir: Path, webhook_url: str, webhook_secret: str):
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api/v2/"
        self.env = {
            **os.environ,
            "WAGTAIL_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "cmsproject.settings",
            "VENEER_WEBHOOK_URL": webhook_url,
            "VENEER_WEBHOOK_SECRET": webhook_secret,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=SITE,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=SITE,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.api + "pages/", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the Wagtail test site did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@contextmanager
def wagtail_server(webhook_url: str, webhook_secret: str) -> Iterator[WagtailServer]:
    """A seeded site whose publishes post signed webhooks to ``webhook_url``."""
    data_dir = Path(tempfile.mkdtemp(prefix="veneer-wagtail-"))
    server = WagtailServer(data_dir, webhook_url, webhook_secret)
    try:
        server.manage("migrate", "-v0")
        server.manage("seed")
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
