"""Practicum server processes for the browser tests: started on a free port, stopped after."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    """A running server: its base URL and facilitator password."""

    url: str
    password: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def api(self, method: str, path: str, body: dict[str, Any] | None = None,
            token: str | None = None) -> dict[str, Any]:
        """Call the JSON API and return the decoded answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def log(self) -> str:
        """Return what the server printed so far (for failure messages)."""
        return self.log_path.read_text(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not answer /healthz in time")


@contextmanager
def serving(workdir: Path, password: str, **settings: str) -> Iterator[LiveServer]:
    """Run `python wsgi.py` on a free port, its database in `workdir`, plus PRACTICUM_ settings."""
    port = _free_port()
    env = {
        **os.environ,
        "PRACTICUM_HOST": "127.0.0.1",
        "PRACTICUM_PORT": str(port),
        "PRACTICUM_DATABASE_URL": f"sqlite:///{workdir / 'practicum.db'}",
        "PRACTICUM_INSTANCE_DIR": str(workdir / "instance"),
        "PRACTICUM_FACILITATOR_PASSWORD": password,
        "PRACTICUM_SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "PYTHONUNBUFFERED": "1",
        **{f"PRACTICUM_{key}": value for key, value in settings.items()},
    }
    log_path = workdir / "server.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "wsgi.py"], cwd=ROOT, env=env, stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", password, process, log_path)
    try:
        _wait_healthy(server.url, process)
    except RuntimeError as exc:
        process.kill()
        pytest.fail(f"{exc}\n{server.log()}")
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
