"""Real backing services for tests: a PostgreSQL 15 server started (and stopped) by the tests.

A test that needs one skips on a developer machine that lacks it and fails where
PRACTICUM_REQUIRE_SERVICES=1 (CI sets it after installing the packages), like the browser tests.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("PRACTICUM_PG_BIN", "/usr/lib/postgresql/15/bin"))
_databases = itertools.count(1)


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a missing service must never pass CI by skipping."""
    if os.environ.get("PRACTICUM_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


def node() -> str:
    """Return the path of Node.js (the tests run the browser's scripts under it), or skip/fail."""
    path = shutil.which("node")
    if path is None:
        unavailable("node is not installed (apt-get install -y nodejs)")
    return path


def stop_group(process: subprocess.Popen | None, grace: float = 10.0) -> None:
    """Stop a server started with start_new_session: SIGTERM its group, SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


def free_port() -> int:
    """Return a port free on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: run it as the postgres user when we are root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class Postgres:
    """One PostgreSQL server on loopback in a temporary directory."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="practicum-pg-"))
        self.port = free_port()
        self.data = self.base / "data"

    def start(self) -> None:
        """Create a cluster and start the server (about a second)."""
        os.chmod(self.base, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                          "-U", "postgres", "--no-sync"]),
            check=True, capture_output=True,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                          "-l", str(self.base / "log"), "-w", "start"]),
            check=True, capture_output=True,
        )

    def stop(self) -> None:
        """Stop the server and remove its files."""
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                          "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """Return the SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Return the URL of a fresh, empty namespace on this server.

        A schema per test (its own tables through the connection's search_path) instead of a
        database per test: creating a database copies a template (about 160 ms), a schema
        takes well under a millisecond, and the store cannot tell the difference.
        """
        import psycopg

        name = f"t{os.getpid()}_{next(_databases)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url()}?options=-csearch_path%3D{name}"


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """Start a PostgreSQL server for the duration of the block (or skip/fail without one)."""
    if not (PG_BIN / "initdb").exists():
        unavailable(f"PostgreSQL 15 is not installed ({PG_BIN}; apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("the psycopg driver is not installed (pip install -e '.[postgres]')")
    server = Postgres()
    try:
        server.start()
    except (subprocess.CalledProcessError, OSError) as exc:
        server.stop()
        unavailable(f"PostgreSQL did not start: {exc}")
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def redis_server() -> Iterator[str]:
    """Start a redis-server on loopback for the block; yield its URL (or skip/fail without one)."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed (apt-get install redis-server)")
    try:
        import redis  # noqa: F401
    except ImportError:
        unavailable("the redis client is not installed")
    from bench.cluster import Redis

    server = Redis(Path(tempfile.mkdtemp(prefix="practicum-redis-")))
    try:
        server.start()
    except (RuntimeError, OSError) as exc:
        server.stop()
        unavailable(f"redis-server did not start: {exc}")
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(server.base.parent, ignore_errors=True)
