"""A real Directus 10 (npm, SQLite) on 127.0.0.1, bootstrapped and seeded for tests.

``make test`` installs it from the committed lockfile (``npm ci``). Directus keeps its data
model in the database, so the seed is made the way a Directus admin makes one: through the
REST API (collections, fields, a reader role with a static token, items, a webhook).
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
from typing import Any

import httpx

from tests.postgres import free_port

SITE = Path(__file__).resolve().parent / "directus_site"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "Admin-pass-1"
READER_TOKEN = "veneer-directus-reader-token"  # may also list collections
NARROW_TOKEN = "veneer-directus-items-only-token"
START_TIMEOUT = 120


def _field(name: str, kind: str, **meta: Any) -> dict[str, Any]:
    return {"field": name, "type": kind, "meta": meta or None, "schema": {}}


ID = {
    "field": "id",
    "type": "integer",
    "meta": {"hidden": True},
    "schema": {"is_primary_key": True, "has_auto_increment": True},
}
COLLECTIONS = {
    "articles": [
        ID,
        _field("status", "string"),
        _field("title", "string"),
        _field("slug", "string"),
        _field("body", "text"),
        _field("date_updated", "timestamp", special=["date-updated"]),
    ],
    "products": [
        ID,
        _field("status", "string"),
        _field("title", "string"),
        _field("slug", "string"),
        _field("price", "float"),
        _field("tags", "json", special=["cast-json"], interface="tags"),
        _field("variants", "json", special=["cast-json"], interface="list"),
        _field("date_updated", "timestamp", special=["date-updated"]),
    ],
}


class DirectusServer:
    def __init__(self, data_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PUBLIC_URL": self.url,
            "KEY": "veneer-test-directus-key",
            "SECRET": "veneer-test-directus-secret",
            "DB_CLIENT": "sqlite3",
            "DB_FILENAME": str(data_dir / "data.db"),
            "STORAGE_LOCAL_ROOT": str(data_dir / "uploads"),
            "EXTENSIONS_PATH": str(data_dir / "extensions"),
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "TELEMETRY": "false",
            "CACHE_ENABLED": "false",
            "RATE_LIMITER_ENABLED": "false",
            "WEBSOCKETS_ENABLED": "false",
            "LOG_LEVEL": "warn",
            "EXTENSIONS_AUTO_RELOAD": "false",
            # Directus's requests (flows included) refuse local addresses unless told
            # otherwise; Veneer listens on 127.0.0.1 here.
            "IMPORT_IP_DENY_LIST": "169.254.169.254",
        }
        self.data_dir = data_dir
        for folder in ("uploads", "extensions"):
            (data_dir / folder).mkdir()
        (data_dir / "package.json").write_text('{"name": "directus-test-data", "private": true}')
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "directus.log"

    def _cli(self, *args: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as log:
            return subprocess.Popen(
                # Directus's own cli.js first asks the npm registry for updates; its API's
                # CLI runs the same commands without leaving 127.0.0.1.
                ["node", str(SITE / "node_modules/@directus/api/dist/cli/run.js"), *args],
                cwd=self.data_dir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def bootstrap(self) -> None:
        if self._cli("bootstrap").wait(timeout=START_TIMEOUT) != 0:
            raise RuntimeError(f"directus bootstrap failed:\n{self.log.read_text()[-3000:]}")

    def start(self) -> None:
        self.process = self._cli("start")
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{self.url}/server/ping", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"Directus did not start:\n{self.log.read_text()[-3000:]}")
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
        with httpx.Client(base_url=self.url, timeout=20) as client:
            login = client.post(
                "/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
            login.raise_for_status()
            client.headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"
            yield client

    def _reader(self, admin: httpx.Client, name: str, token: str, system: list[str]) -> None:
        """A role that may read the content collections (and ``system``), a user with a token."""
        role = _ok(admin.post("/roles", json={"name": name, "app_access": False}))
        for collection in [*COLLECTIONS, *system]:
            permission = {
                "role": role["id"],
                "collection": collection,
                "action": "read",
                "fields": ["*"],
                "permissions": {},
            }
            _ok(admin.post("/permissions", json=permission))
        user = {
            "email": f"{name.lower().replace(' ', '-')}@example.com",
            "password": "Reader-pass-1",
            "role": role["id"],
            "token": token,
        }
        _ok(admin.post("/users", json=user))

    def seed(self) -> None:
        with self.admin() as admin:
            for name, fields in COLLECTIONS.items():
                _ok(
                    admin.post(
                        "/collections",
                        json={"collection": name, "fields": fields, "schema": {}, "meta": {}},
                    )
                )
            self._reader(admin, "Veneer reader", READER_TOKEN, ["directus_collections"])
            self._reader(admin, "Items only", NARROW_TOKEN, [])
            products = [
                {
                    "status": "published" if n != 12 else "draft",
                    "title": f"Product {n:02d}",
                    "slug": f"product-{n:02d}",
                    "price": 10.0 * n,
                    "tags": ["outdoor"] if n % 2 else ["kitchen"],
                }
                for n in range(1, 13)
            ]
            products[1]["variants"] = [
                {
                    "id": "v-campers",
                    "audience": ["campers"],
                    "priority": 5,
                    "fields": {"title": "Product 02 for campers"},
                }
            ]
            _ok(admin.post("/items/products", json=products))
            _ok(
                admin.post(
                    "/items/articles",
                    json=[
                        {
                            "status": "published",
                            "title": "Trail notes",
                            "slug": "trail-notes",
                            "body": "Pack light.",
                        },
                        {
                            "status": "archived",
                            "title": "Old news",
                            "slug": "old-news",
                            "body": "Gone.",
                        },
                    ],
                )
            )


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json()["data"] if response.content else None


@contextmanager
def directus_server() -> Iterator[DirectusServer]:
    if not (SITE / "node_modules" / "directus").is_dir():
        raise RuntimeError(
            f"Directus is not installed: run `npm ci --prefix {SITE}` (make test does)"
        )
    data_dir = Path(tempfile.mkdtemp(prefix="veneer-directus-"))
    server = DirectusServer(data_dir)
    try:
        server.bootstrap()
        server.start()
        server.seed()
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
