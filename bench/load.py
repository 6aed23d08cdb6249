"""Load generation with `wrk` (Debian's package): requests/s for one URL, GET or POST."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make bench` installs it (Debian package wrk)")


def wrk(
    url: str,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    script: str = "",
) -> float:
    """Requests/s over ``seconds``; a POST when ``body`` is given. Any non-2xx fails the run.

    ``script`` is more Lua for wrk, such as a ``request`` function that makes each request's
    body different.
    """
    with tempfile.TemporaryDirectory() as workdir:
        lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in (headers or {}).items()]
        if body is not None:
            body_file = Path(workdir) / "body"
            body_file.write_bytes(body)
            lines += ['wrk.method = "POST"', f'wrk.body = io.open("{body_file}"):read("*a")']
        lua = Path(workdir) / "request.lua"
        lua.write_text("\n".join(lines) + "\n" + script + "\n")
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(lua), url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise RuntimeError(f"no throughput in wrk's output:\n{out}")
    return float(match.group(1))
