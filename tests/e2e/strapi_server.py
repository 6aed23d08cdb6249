"""A real Strapi 5 (npm, SQLite) on 127.0.0.1, seeded by its own bootstrap, for tests.

``make test`` installs the site's packages from its committed lockfile (``npm ci``). Each run
copies the site to a temporary folder (sharing ``node_modules``), so installing Veneer's
component there never touches the committed project.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.postgres import free_port

SITE = Path(__file__).resolve().parent / "strapi_site"
ADMIN_EMAIL = "editor@example.com"
ADMIN_PASSWORD = "Editor-pass-1"
API_TOKEN = "veneer-test-api-token-0123456789abcdef"  # may also read the content model
READ_ONLY_TOKEN = "veneer-test-read-only-token-abcdef0123456789"
START_TIMEOUT = 120


def copy_site(into: Path) -> Path:
    if not (SITE / "node_modules" / "@strapi" / "strapi").is_dir():
        raise RuntimeError(
            f"Strapi is not installed: run `npm ci --prefix {SITE}` (make test does)"
        )
    project = into / "strapi"
    shutil.copytree(SITE, project, ignore=shutil.ignore_patterns("node_modules", ".tmp"))
    (project / "node_modules").symlink_to(SITE / "node_modules")
    return project


class StrapiServer:
    def __init__(self, project: Path):
        self.project = project
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "NODE_ENV": "development",  # Strapi refuses loopback webhook URLs in production
            "STRAPI_TELEMETRY_DISABLED": "true",
            "JWT_SECRET": "veneer-test-users-permissions-secret",
            "DATABASE_FILENAME": str(project / ".tmp" / "data.db"),
            "SEED_ADMIN_EMAIL": ADMIN_EMAIL,
            "SEED_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "SEED_API_TOKEN": API_TOKEN,
            "SEED_READONLY_TOKEN": READ_ONLY_TOKEN,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = project / "strapi.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["node", "node_modules/@strapi/strapi/bin/strapi.js", "start"],
                cwd=self.project,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{self.url}/_health", timeout=1).status_code == 204:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the Strapi test site did not start:\n{tail}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    @contextmanager
    def admin(self) -> Iterator[httpx.Client]:
        """An admin-API client logged in as the seeded editor."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            credentials = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            login = client.post("/admin/login", json=credentials)
            login.raise_for_status()
            client.headers["Authorization"] = f"Bearer {login.json()['data']['token']}"
            yield client


@contextmanager
def strapi_server(project: Path) -> Iterator[StrapiServer]:
    server = StrapiServer(project)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextmanager
def temporary_site() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="veneer-strapi-"))
    try:
        yield copy_site(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
