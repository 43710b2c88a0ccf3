"""A cluster on loopback: PostgreSQL, Redis, several Practicum processes and HAProxy.

`make cluster` (python -m bench.cluster) starts one and waits for Ctrl-C; the cluster tests
(tests/cluster/) and benchmarks use the `Cluster` class. Everything listens on 127.0.0.1 on free
ports, runs from a temporary directory and is stopped by its PID.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[1]
HAPROXY_TEMPLATE = ROOT / "deploy" / "haproxy.cfg.template"
PG_BIN = Path(os.environ.get("PRACTICUM_PG_BIN", "/usr/lib/postgresql/15/bin"))
START_SECONDS = 20.0


def free_port() -> int:
    """Return a port free on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing_programs() -> list[str]:
    """Return what a cluster needs and this machine lacks (Debian package names)."""
    missing = []
    if not (PG_BIN / "initdb").exists():
        missing.append("postgresql")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if shutil.which("haproxy") is None:
        missing.append("haproxy")
    return missing


def _wait(check: object, what: str, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if check():  # type: ignore[operator]
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start in {START_SECONDS:.0f} s")


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=1) as reply:  # noqa: S310 - loopback only
        return reply.status == 200


def _stop(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    """Stop a process group we started, by its id, and wait for it."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


class Redis:
    """One redis-server on loopback, without persistence."""

    def __init__(self, base: Path) -> None:
        self.base = base / "redis"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers PING."""
        self.base.mkdir(parents=True, exist_ok=True)
        with (self.base / "log").open("ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(self.base)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        _wait(self._pong, "redis-server", self.process)

    def _pong(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        """Stop it."""
        _stop(self.process)


class App:
    """One `python wsgi.py` process of the cluster."""

    def __init__(self, base: Path, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.base = base / name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log = self.base / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until /healthz answers."""
        self.base.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            **self.env,
            "PRACTICUM_HOST": "127.0.0.1",
            "PRACTICUM_PORT": str(self.port),
            "PRACTICUM_INSTANCE_DIR": str(self.base),
            "PYTHONUNBUFFERED": "1",
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "wsgi.py")],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        _wait(lambda: _http_ok(f"{self.url}/healthz"), f"practicum {self.name}", self.process)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop it (SIGKILL by default: an owner dying with no chance to clean up)."""
        _stop(self.process, sig)

    @property
    def alive(self) -> bool:
        """Say whether the process runs."""
        return self.process is not None and self.process.poll() is None


class HAProxy:
    """HAProxy in front of the apps, from deploy/haproxy.cfg.template."""

    def __init__(self, base: Path, apps: list[App], port: int | None = None) -> None:
        self.base = base / "haproxy"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.apps = apps
        self.process: subprocess.Popen[bytes] | None = None

    def config(self) -> str:
        """Return the configuration for these apps."""
        servers = "\n".join(
            f"    server {app.name} 127.0.0.1:{app.port} check" for app in self.apps
        )
        return Template(HAPROXY_TEMPLATE.read_text()).substitute(
            bind=f"127.0.0.1:{self.port}", servers=servers
        )

    def start(self) -> None:
        """Start it in the foreground (-db) and wait until it routes to a healthy app."""
        self.base.mkdir(parents=True, exist_ok=True)
        path = self.base / "haproxy.cfg"
        path.write_text(self.config())
        with (self.base / "log").open("ab") as log:
            self.process = subprocess.Popen(
                ["haproxy", "-db", "-f", str(path)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        _wait(lambda: _http_ok(f"{self.url}/healthz"), "haproxy", self.process)

    def stop(self) -> None:
        """Stop it."""
        _stop(self.process)


class Cluster:
    """PostgreSQL, Redis, `processes` Practicum processes and HAProxy, on loopback."""

    def __init__(
        self,
        processes: int = 2,
        lease_seconds: float = 6.0,
        env: dict[str, str] | None = None,
        port: int | None = None,
        base: Path | None = None,
        redis: bool = True,
    ) -> None:
        self.base = base or Path(tempfile.mkdtemp(prefix="practicum-cluster-"))
        self.password = os.environ.get("PRACTICUM_FACILITATOR_PASSWORD") or "cluster-password"
        self.postgres: object | None = None
        # Without Redis (the bench's cost comparison) the processes still take leases
        # (PRACTICUM_CLUSTER=1) but nothing carries emits between them: one process only.
        self.redis: Redis | None = Redis(self.base) if redis else None
        self.processes = processes
        self.lease_seconds = lease_seconds
        self.extra_env = env or {}
        self.port = port
        self.apps: list[App] = []
        self.proxy: HAProxy | None = None
        self.database_url = ""

    @property
    def url(self) -> str:
        """The proxy's URL: what browsers and clients open."""
        assert self.proxy is not None
        return self.proxy.url

    def start(self) -> None:
        """Start everything, stopping what started if a part fails."""
        from tests.services import Postgres  # the tests' start-up code, as the postgres user

        try:
            postgres = Postgres()
            self.postgres = postgres
            postgres.start()
            self.database_url = postgres.url()
            if self.redis is not None:
                self.redis.start()
            env = {
                "PRACTICUM_DATABASE_URL": self.database_url,
                "PRACTICUM_REDIS_URL": self.redis.url if self.redis is not None else "",
                "PRACTICUM_CLUSTER": "1",
                "PRACTICUM_LEASE_SECONDS": str(self.lease_seconds),
                # Every process signs and checks the same tokens and cookies.
                "PRACTICUM_SECRET_KEY": os.environ.get("PRACTICUM_SECRET_KEY")
                or "cluster-secret-" + os.urandom(8).hex(),
                "PRACTICUM_FACILITATOR_PASSWORD": self.password,
                "PRACTICUM_TRUSTED_PROXIES": "1",
                **self.extra_env,
            }
            self.apps = [
                App(self.base, f"app{n + 1}", env) for n in range(self.processes)
            ]
            for app in self.apps:
                app.start()
            self.proxy = HAProxy(self.base, self.apps, self.port)
            self.proxy.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop everything this cluster started, proxy first, and remove its files."""
        if self.proxy is not None:
            self.proxy.stop()
        for app in self.apps:
            app.kill(signal.SIGTERM)
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()  # type: ignore[attr-defined]
        shutil.rmtree(self.base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Start a cluster, print its URL, and stop it all on Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2, help="Practicum processes (2)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")),
                        help="the proxy's port on 127.0.0.1 (8080)")
    args = parser.parse_args(argv)
    missing = missing_programs()
    if missing:
        print(f"missing: {' '.join(missing)} (apt-get install -y {' '.join(missing)})")
        return 1
    cluster = Cluster(processes=args.processes, port=args.port)

    def on_signal(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C and a plain kill both stop everything, even while it is still starting (and even
    # when a shell started this in the background, where SIGINT would be ignored).
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        cluster.start()
        print("Practicum cluster is running.")
        print(f"  Open:                 {cluster.url}/facilitator  (learners: {cluster.url}/)")
        print("  Facilitator user:     admin")
        print(f"  Facilitator password: {cluster.password}")
        print(f"  PostgreSQL:           {cluster.database_url}")
        print(f"  Redis:                {cluster.redis.url if cluster.redis else '-'}")
        for app in cluster.apps:
            print(f"  {app.name}:                 {app.url}  (log: {app.log})")
        print("Press Ctrl+C to stop everything.", flush=True)
        while all(app.alive for app in cluster.apps):
            time.sleep(0.5)
        dead = [app.name for app in cluster.apps if not app.alive]
        if dead:
            print(f"stopped: {', '.join(dead)} exited")
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up
        cluster.stop()
        print("Cluster stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
