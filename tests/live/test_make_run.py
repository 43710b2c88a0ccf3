"""The README's `make run` starts the server and prints the facilitator and learner URLs."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import requests

from tests.live.conftest import ROOT, free_port

pytestmark = pytest.mark.live


def test_make_run_serves_and_prints_the_urls(tmp_path):
    port = free_port()
    env = {**os.environ, "PRACTICUM_INSTANCE_DIR": str(tmp_path)}
    env.pop("PRACTICUM_FACILITATOR_PASSWORD", None)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120  # may include creating .venv on a fresh clone
        while time.monotonic() < deadline and not any("Ctrl+C" in line for line in lines):
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            lines.append(line)
        output = "".join(lines)
        assert f"Facilitator console: http://127.0.0.1:{port}/facilitator" in output, output
        assert f"Learners join at:    http://127.0.0.1:{port}/" in output
        assert "Facilitator user:     admin" in output  # the first admin, made from the password
        assert "Facilitator password:" in output  # generated, since none was configured
        password = (tmp_path / "facilitator_password").read_text().strip()
        assert password in output
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
        assert {"harbor", "foundry", "heatwise", "alder", "pennant"} <= set(health["scenarios"])
        login = requests.post(
            f"http://127.0.0.1:{port}/api/login", json={"password": password}, timeout=5
        )
        assert login.ok and login.json()["token"]
        named = requests.post(
            f"http://127.0.0.1:{port}/api/login",
            json={"user": "admin", "password": password},
            timeout=5,
        )
        assert named.ok and named.json()["user"] == "admin"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
