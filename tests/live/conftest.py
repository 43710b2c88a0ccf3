"""Live-server fixtures: the real `wsgi.py` (eventlet) in a subprocess, real websocket clients."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from practicum.server.viewsync import PatchGap, apply_board_patch, apply_team_patch

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "live-test-password"


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """One `python wsgi.py` process on loopback, restartable on the same database."""

    def __init__(
        self,
        workdir: Path,
        async_mode: str = "eventlet",
        database_url: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.async_mode = async_mode
        self.database_url = database_url
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "server.log"

    def start(self) -> None:
        """Start the server and wait until it answers /healthz."""
        env = {
            **os.environ,
            "PRACTICUM_HOST": "127.0.0.1",
            "PRACTICUM_PORT": str(self.port),
            "PRACTICUM_INSTANCE_DIR": str(self.workdir),
            "PRACTICUM_SECRET_KEY": "live-secret",
            "PRACTICUM_FACILITATOR_PASSWORD": PASSWORD,
            "PRACTICUM_ASYNC_MODE": self.async_mode,
            "PRACTICUM_JOIN_ATTEMPTS_PER_MINUTE": "1000",
            "PYTHONUNBUFFERED": "1",
        }
        if self.database_url:
            env["PRACTICUM_DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "wsgi.py")],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=0.5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 20 s")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop the server abruptly (SIGKILL: no chance to flush anything)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=10)

    def token(self) -> str:
        """Sign in as the facilitator over the API."""
        reply = requests.post(f"{self.url}/api/login", json={"password": PASSWORD}, timeout=5)
        return reply.json()["token"]

    def create_session(self, scenario_id: str = "harbor") -> dict[str, Any]:
        """Create a session over the API."""
        reply = requests.post(
            f"{self.url}/api/sessions",
            json={"scenarioId": scenario_id},
            headers={"Authorization": f"Bearer {self.token()}"},
            timeout=5,
        )
        assert reply.status_code == 201, reply.text
        return reply.json()


class Client:
    """A python-socketio client on one namespace over a real websocket, recording every event."""

    def __init__(
        self,
        server: LiveServer,
        namespace: str,
        auth: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.namespace = namespace
        self.sio = socketio.Client(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.team: dict[str, Any] | None = None
        self.board: dict[str, Any] | None = None
        self.changed = threading.Condition()
        self.sio.on("*", self._record, namespace=namespace)
        self.sio.connect(
            server.url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=10
        )
        self.session_id: str | None = None

    def _record(self, event: str, data: Any = None) -> None:
        with self.changed:
            self.events.append((event, data))
            # Merge patches as a browser does and file each result as a `team` or `board`
            # event; a patch that does not follow the version held is filed as a gap (the
            # browser would ask for a full view) and leaves the view as it was.
            try:
                if event == "view":
                    self.team = data["team"]
                elif event == "team_patch":
                    self.team = apply_team_patch(self.team, data)
                    self.events.append(("team", self.team))
                elif event == "board_patch":
                    self.board = apply_board_patch(self.board, data)
                    self.events.append(("board", self.board))
            except PatchGap:
                self.events.append((f"{event}_gap", data))
            self.changed.notify_all()

    def adopt(self, ack: dict[str, Any]) -> dict[str, Any]:
        """Hold the full view or board an ack carries (patches follow its version); return it."""
        with self.changed:
            if isinstance(ack, dict) and isinstance(ack.get("view"), dict):
                self.team = ack["view"]["team"]
            if isinstance(ack, dict) and isinstance(ack.get("board"), dict):
                self.board = ack["board"]
        return ack

    def call(self, event: str, **payload: Any) -> dict[str, Any]:
        """Emit with a fresh actionId (unless given) and wait for the ack."""
        if event not in ("hello", "watch"):
            payload.setdefault("actionId", uuid.uuid4().hex)
            if self.namespace == "/facilitate":
                payload.setdefault("sessionId", self.session_id)
        # The ack is adopted by the callback, on the thread that handles incoming packets, so
        # a patch that arrives right after it is merged onto the view it carried.
        answered = threading.Event()
        box: list[Any] = []

        def on_ack(*args: Any) -> None:
            box.append(self.adopt(args[0] if args else None))
            answered.set()

        self.sio.emit(event, payload, namespace=self.namespace, callback=on_ack)
        if not answered.wait(10):
            raise TimeoutError(f"no ack for {event} within 10 s")
        return box[0]

    def wait_for(self, event: str, predicate: Callable[[Any], bool], timeout: float = 5.0) -> Any:
        """Wait until an event of this name satisfying predicate has arrived; return it."""
        end = time.monotonic() + timeout
        with self.changed:
            while True:
                for name, data in reversed(self.events):
                    if name == event and predicate(data):
                        return data
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching '{event}' within {timeout} s")
                self.changed.wait(left)

    def close(self) -> None:
        """Disconnect."""
        self.sio.disconnect()


@pytest.fixture
def server(tmp_path: Path, db_url: Callable[[str], str]) -> Iterator[LiveServer]:
    """The real server on the test's backend (SQLite, then PostgreSQL), restartable."""
    live = LiveServer(tmp_path, database_url=db_url("live"))
    live.start()
    yield live
    live.kill()


@pytest.fixture
def clients() -> Iterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(
        server: LiveServer,
        namespace: str,
        auth: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Client:
        client = Client(server, namespace, auth, headers)
        made.append(client)
        return client

    yield make
    for client in made:
        with contextlib.suppress(Exception):  # the server may already be gone
            client.close()
    # Every patch a client got must have followed the version it held: a gap would make a
    # browser fetch the whole view again, and means the server sent patches out of order.
    gaps = [(n, data) for client in made for n, data in client.events if n.endswith("_gap")]
    assert not gaps, gaps
