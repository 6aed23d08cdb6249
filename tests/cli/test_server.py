"""`veneer serve` and `veneer worker` as an operator starts them: real processes.

A server that cannot work must say so in one line and exit, before it listens: a server that
listens would pass its health check and fail the first real request. The timeout only ends
a process that wrongly went on serving; the tests never wait on it otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.servers import veneer_env
from tests.conftest import TEST_SECRET
from tests.postgres import free_port

VENEER = Path(sys.executable).parent / "veneer"
# Only for a process that starts serving when it should have refused: it never exits.
GUARD_SECONDS = 120


def _refusal(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENEER), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=GUARD_SECONDS,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output
    assert len(output.splitlines()) == 1, output
    return output


def test_serve_refuses_a_database_never_migrated(empty_database_url: str, tmp_path: Path) -> None:
    env = veneer_env(database_url=empty_database_url, secret=TEST_SECRET)
    result = _refusal(["serve", "--port", str(free_port())], env, tmp_path)
    assert result.returncode == 1
    assert "never migrated" in _one_line(result)
    assert "run `veneer migrate`" in result.stdout


def test_serve_refuses_a_database_one_migration_behind(
    behind_database_url: str, tmp_path: Path
) -> None:
    env = veneer_env(database_url=behind_database_url, secret=TEST_SECRET)
    result = _refusal(["serve", "--port", str(free_port())], env, tmp_path)
    assert result.returncode == 1
    assert "(1 migration behind): run `veneer migrate`" in _one_line(result)


def test_serve_refuses_a_database_it_cannot_open(tmp_path: Path) -> None:
    nobody = f"postgresql://veneer@127.0.0.1:{free_port()}/veneer"  # nothing listens there
    env = veneer_env(database_url=nobody, secret=TEST_SECRET)
    result = _refusal(["serve", "--port", str(free_port())], env, tmp_path)
    assert result.returncode == 1
    assert "cannot open the database" in _one_line(result)


@pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)
def test_worker_refuses_a_database_never_migrated(
    empty_database_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = veneer_env(database_url=empty_database_url, redis_url=redis_url)
    result = _refusal(["worker"], env, tmp_path)
    assert result.returncode == 1
    assert "never migrated" in _one_line(result)


def test_serve_without_a_secret_says_how_to_set_one(tmp_path: Path) -> None:
    env = veneer_env(database_url=f"sqlite:///{tmp_path / 'veneer.db'}")
    result = _refusal(["serve", "--port", str(free_port())], env, tmp_path)
    assert result.returncode == 2
    line = _one_line(result)
    assert line.startswith("veneer: VENEER_SECRET is not set")
    assert "export VENEER_SECRET=" in line


def test_serve_migrate_migrates_then_serves(tmp_path: Path) -> None:
    port = free_port()
    env = veneer_env(database_url=f"sqlite:///{tmp_path / 'new.db'}", secret=TEST_SECRET)
    process = subprocess.Popen(
        [str(VENEER), "serve", "--migrate", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    try:
        seen = []
        for line in process.stdout:  # uvicorn says when it listens
            seen.append(line)
            if "Uvicorn running on" in line:
                break
        else:
            raise AssertionError("veneer serve --migrate exited:\n" + "".join(seen))
        listening = json.loads(line)  # structured logs, VENEER_LOG_FORMAT's default
        assert listening["level"] == "INFO" and listening["logger"].startswith("uvicorn")
        health = httpx.get(f"http://127.0.0.1:{port}/health")
        assert health.status_code == 200
        assert health.json()["database"] == "ok"
    finally:
        process.terminate()
        process.communicate(timeout=GUARD_SECONDS)
