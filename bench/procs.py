"""Child processes of the bench: the server under test and the swarm generators.

Every child is started in its own process group and killed with it, so a bench run leaves no
stray processes, even when a step fails half way.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password"


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM it when the bench process dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the process-group kill in `finally` blocks still applies


def kill_group(process: subprocess.Popen, grace: float = 5.0) -> None:
    """Stop a child's process group: SIGTERM, then SIGKILL after a grace period."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


def practicum_env(workdir: Path, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment for a bench Practicum server.

    The join limit is raised because every bench learner joins from 127.0.0.1; the rest of the
    configuration is the production default unless `extra` says otherwise.
    """
    env = {
        **os.environ,
        "PRACTICUM_HOST": "127.0.0.1",
        "PRACTICUM_PORT": str(port),
        "PRACTICUM_INSTANCE_DIR": str(workdir),
        "PRACTICUM_SECRET_KEY": "bench-secret",
        "PRACTICUM_FACILITATOR_PASSWORD": PASSWORD,
        "PRACTICUM_JOIN_ATTEMPTS_PER_MINUTE": "1000000",
        # Every simulated learner connects from 127.0.0.1: lift the per-address socket cap
        # (docs/security.md), which a real classroom behind one NAT stays far below.
        "PRACTICUM_MAX_CONNECTIONS_PER_ADDRESS": "1000000",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra or {})
    return env


def api_token(url: str) -> str:
    """Sign in as the bench facilitator over the API at `url`; return the bearer token."""
    reply = requests.post(f"{url}/api/login", json={"password": PASSWORD}, timeout=10)
    reply.raise_for_status()
    return reply.json()["token"]


def api_create_session(url: str, token: str, scenario_id: str = "harbor") -> dict[str, Any]:
    """Create a session over the API at `url`; return `{sessionId, joinCode}`."""
    reply = requests.post(
        f"{url}/api/sessions",
        json={"scenarioId": scenario_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    if reply.status_code != 201:
        raise RuntimeError(f"create session failed: {reply.status_code} {reply.text[:200]}")
    return reply.json()


class Server:
    """One server process on loopback: Practicum (`wsgi.py`) or the reference relay."""

    def __init__(
        self,
        kind: str,
        workdir: Path,
        async_mode: str = "eventlet",
        env: dict[str, str] | None = None,
        profile: Path | None = None,
    ) -> None:
        self.kind = kind
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.async_mode = async_mode
        self.extra_env = env or {}
        self.profile = profile
        self.log = workdir / f"{kind}.log"
        self.process: subprocess.Popen | None = None
        self.python: psutil.Process | None = None

    def command(self) -> list[str]:
        """Return the command line that runs the server (under py-spy when profiling)."""
        if self.kind == "practicum":
            command = [sys.executable, str(ROOT / "wsgi.py")]
        else:
            command = [
                sys.executable,
                "-m",
                "bench.reference_server",
                "--port",
                str(self.port),
                "--async-mode",
                self.async_mode,
            ]
        if self.profile is None:
            return command
        py_spy = Path(sys.executable).with_name("py-spy")
        return [str(py_spy), "record", "-r", "200", "-f", "raw", "-o", str(self.profile), "--"] + (
            command
        )

    def start(self, timeout: float = 30.0) -> float:
        """Start the server; return the seconds until /healthz answered."""
        env = practicum_env(
            self.workdir, self.port, {"PRACTICUM_ASYNC_MODE": self.async_mode, **self.extra_env}
        )
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    self.python = self._find_python()
                    return time.monotonic() - started
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError(f"{self.kind} did not answer /healthz within {timeout} s")

    def _find_python(self) -> psutil.Process:
        assert self.process is not None
        root = psutil.Process(self.process.pid)
        if self.profile is None:
            return root
        children = root.children(recursive=True)
        return children[0] if children else root

    def stop(self) -> None:
        """Stop the server (letting py-spy write its profile first)."""
        if self.process is None:
            return
        if self.profile is not None and self.python is not None:
            with contextlib.suppress(psutil.Error):
                self.python.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        kill_group(self.process)

    def rss(self) -> int:
        """Return the server's resident memory in bytes."""
        assert self.python is not None
        return self.python.memory_info().rss

    def cpu_seconds(self) -> float:
        """Return the server's CPU time so far (user + system)."""
        assert self.python is not None
        times = self.python.cpu_times()
        return times.user + times.system

    def waits(self) -> tuple[int, float]:
        """Return (involuntary context switches, seconds blocked on disk I/O) so far.

        The first counts how often the kernel took the CPU away from a runnable server (other
        processes competing); the second shows time lost waiting for the disk (SQLite).
        """
        assert self.python is not None
        switches = self.python.num_ctx_switches().involuntary
        iowait = getattr(self.python.cpu_times(), "iowait", 0.0)
        return switches, iowait

    def token(self) -> str:
        """Sign in as the facilitator over the API."""
        return api_token(self.url)

    def create_session(self, token: str, scenario_id: str = "harbor") -> dict[str, Any]:
        """Create a session; return `{sessionId, joinCode}`."""
        return api_create_session(self.url, token, scenario_id)


class Generator:
    """One swarm process, spoken to over its stdin and stdout."""

    def __init__(self, plan: dict[str, Any], workdir: Path, number: int) -> None:
        self.plan_path = workdir / f"plan-{number}.json"
        self.out_path = workdir / f"out-{number}.json"
        self.err_path = workdir / f"swarm-{number}.log"
        self.plan_path.write_text(json.dumps(plan))
        self.lines: queue.Queue[str] = queue.Queue()
        with self.err_path.open("ab") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.swarm", str(self.plan_path), str(self.out_path)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self.ps = psutil.Process(self.process.pid)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put("")  # end of output

    def wait_line(self, prefix: str, timeout: float) -> str:
        """Return the next output line starting with prefix (bounded wait)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"swarm did not say {prefix} within {timeout:.0f} s")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
            if line == "" and self.process.poll() is not None:
                raise RuntimeError(f"swarm exited: {self.err_path.read_text()[-2000:]}")

    def go(self) -> None:
        """Tell the swarm to start playing."""
        assert self.process.stdin is not None
        self.process.stdin.write("GO\n")
        self.process.stdin.flush()

    def cpu_seconds(self) -> float:
        """Return the generator's CPU time so far."""
        try:
            times = self.ps.cpu_times()
        except psutil.Error:
            return 0.0
        return times.user + times.system

    def results(self, timeout: float) -> dict[str, Any]:
        """Wait for the swarm to finish and return its results."""
        self.wait_line("DONE", timeout)
        self.process.wait(timeout=30)
        return json.loads(self.out_path.read_text())

    def kill(self) -> None:
        """Stop the swarm process group."""
        kill_group(self.process, grace=3)
