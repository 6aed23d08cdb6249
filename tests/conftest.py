"""Shared fixtures: real SQLite and real PostgreSQL databases, migrated by Alembic.

Tests that take the ``settings`` fixture run once per backend. Each test gets its own fresh
database, copied from a template migrated once per session, so tests never see each other.
"""

from __future__ import annotations

import asyncio
import faulthandler
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from alembic.script import ScriptDirectory
from starlette.testclient import TestClient

from tests.postgres import postgres_server
from tests.redis_server import RedisServer, redis_server
from veneer.app import create_app
from veneer.identity.keys import KeyKind
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.keys import create_key
from veneer.store.migrate import alembic_config, migrate

TEST_SECRET = "test-secret-0123456789abcdef-0123456789"  # HS256 wants 32+ bytes
# Past pytest-timeout's limit (pyproject.toml): a test its SIGALRM did not stop, because the
# exception landed in an asyncio task that nobody awaits, or teardown waits on what hung.
HARD_STOP_SECONDS = 900
_stderr: list[int] = []


def pytest_configure(config: pytest.Config) -> None:
    """Keep a descriptor of the real stderr: output capture replaces fd 2 during a test."""
    try:
        fileno = sys.stderr.fileno()
    except (AttributeError, ValueError):  # xdist workers replace sys.stderr
        fileno = sys.__stderr__.fileno()
    _stderr.append(os.dup(fileno))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """A test still running long after its timeout prints every thread's stack and ends its
    process: xdist reports the crash and goes on with a new worker, so the run ends, saying
    where it hung, instead of stalling until CI gives up on it."""
    faulthandler.dump_traceback_later(HARD_STOP_SECONDS, exit=True, file=_stderr[0])
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(Settings(database_url=f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    existing = os.environ.get("VENEER_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> str:
    name = f"veneer_template_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    migrate(Settings(database_url=_with_db(postgres_admin_url, name)))
    return name


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@contextmanager
def _postgres_database(admin: str, template: str | None = None) -> Iterator[str]:
    """A new database on the test server, copied from ``template`` if given, then dropped."""
    name = f"veneer_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    yield _with_db(admin, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "veneer.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    with _postgres_database(admin, request.getfixturevalue("postgres_template")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database on each backend that was never migrated: what a new deployment starts on."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'veneer.db'}"
        return
    with _postgres_database(request.getfixturevalue("postgres_admin_url")) as url:
        yield url


@pytest.fixture
def behind_database_url(empty_database_url: str) -> str:
    """A database migrated to the revision before the code's head: an upgrade not yet run."""
    scripts = ScriptDirectory.from_config(alembic_config(empty_database_url))
    head = scripts.get_revision(scripts.get_current_head())
    assert head is not None and isinstance(head.down_revision, str)
    migrate(Settings(database_url=empty_database_url), head.down_revision)
    return empty_database_url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret=TEST_SECRET, content="sample")


@dataclass(frozen=True)
class Keys:
    public: str
    secret: str


@pytest.fixture
def keys(settings: Settings) -> Keys:
    async def make() -> Keys:
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                public, _ = await create_key(session, KeyKind.PUBLIC, "test browser")
                secret, _ = await create_key(session, KeyKind.SECRET, "test backend")
            return Keys(public, secret)
        finally:
            await db.dispose()

    return asyncio.run(make())


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def redis_session_server() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
def redis_url(redis_session_server: RedisServer) -> str:
    """A real Redis, emptied for each test."""
    client = redis.Redis.from_url(redis_session_server.url)
    client.flushall()
    client.close()
    return redis_session_server.url


@pytest.fixture(params=["in-process", "redis"])
def both_caches(request: pytest.FixtureRequest, database_url: str) -> Settings:
    """Settings for tests that must hold with the in-process cache and with Redis."""
    base = Settings(database_url=database_url, secret=TEST_SECRET, content="sample")
    if request.param == "in-process":
        return base
    return base.model_copy(update={"redis_url": request.getfixturevalue("redis_url")})
