"""A real learning record store for tests: Ralph in its own venv (.venv-lrs), on loopback.

Built by `make lrs-venv` (the test builds it when missing). Skips on a developer machine that
cannot build or start it; fails where PRACTICUM_REQUIRE_SERVICES=1, like tests/services.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from tests.services import free_port, stop_group, unavailable

ROOT = Path(__file__).resolve().parents[1]
LRS_VENV = ROOT / ".venv-lrs"
RALPH = LRS_VENV / "bin" / "ralph"
STAMP = LRS_VENV / ".installed"  # written by `make lrs-venv` once the install succeeded
USER, PASSWORD = "practicum", "lrs-test-secret"
HEADERS = {"X-Experience-API-Version": "1.0.3"}

# Run inside the Ralph venv: validate statements with Ralph's pydantic models of xAPI 1.0.3.
VALIDATE = """
import json, sys
from ralph.models.xapi.base.statements import BaseXapiStatement
problems = []
for statement in json.load(sys.stdin):
    try:
        BaseXapiStatement.model_validate(statement)
    except Exception as exc:
        problems.append({"id": statement.get("id"), "error": str(exc)})
print(json.dumps(problems))
"""


def ensure_venv() -> None:
    """Build .venv-lrs with `make lrs-venv` when it is missing (or skip/fail)."""
    if STAMP.exists():
        return
    built = subprocess.run(
        ["make", "-s", "lrs-venv"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if built.returncode != 0 or not STAMP.exists():
        unavailable(f"could not build the Ralph venv: {(built.stdout + built.stderr)[-500:]}")


class Ralph:
    """One Ralph LRS (file-system backend) that a test can stop and start on the same port."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="practicum-ralph-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(self.base),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.base / "data"),
        }
        (self.base / "data").mkdir()

    def create_user(self) -> None:
        """Write the basic-auth account the server will send with (ralph auth)."""
        subprocess.run(
            [str(RALPH), "auth", "-u", USER, "-p", PASSWORD, "-s", "all",
             "-M", "mailto:lrs@example.org", "-w"],
            cwd=self.base, env=self.env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def start(self) -> None:
        """Start the LRS and wait until it answers (statements survive a restart on disk)."""
        log = (self.base / "ralph.log").open("ab")
        # tests/lrs_server.py: `ralph runserver -b fs` with the fs backend appending (see there).
        self.process = subprocess.Popen(
            [str(LRS_VENV / "bin" / "python"), str(ROOT / "tests" / "lrs_server.py"),
             "127.0.0.1", str(self.port)],
            cwd=self.base, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ralph exited: {self.log()[-2000:]}")
            try:
                requests.get(self.url + "/statements", auth=(USER, PASSWORD), timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("ralph did not start in 60 s")

    def stop(self) -> None:
        """Stop the LRS by its process group (its reloader and its worker)."""
        stop_group(self.process)
        self.process = None

    def log(self) -> str:
        """Return the LRS's log."""
        path = self.base / "ralph.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def statements(self) -> list[dict[str, Any]]:
        """Return every statement the LRS holds (following `more` pages)."""
        found: list[dict[str, Any]] = []
        url = self.url + "/statements?limit=100"
        while url:
            reply = requests.get(url, auth=(USER, PASSWORD), headers=HEADERS, timeout=10)
            reply.raise_for_status()
            page = reply.json()
            found += page["statements"]
            more = page.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else ""
        return found

    def problems(self, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return what Ralph's xAPI models find wrong with the statements (empty: valid)."""
        checked = subprocess.run(
            [str(LRS_VENV / "bin" / "python"), "-c", VALIDATE],
            input=json.dumps(statements), capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        return json.loads(checked.stdout)
