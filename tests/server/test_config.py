"""Configuration: environment variables reach the settings that read them."""

from __future__ import annotations

from practicum.server.config import load_config
from practicum.server.sockets import board_interval


def test_board_interval_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PRACTICUM_BOARD_INTERVAL", "0.5")
    config = load_config({"INSTANCE_DIR": str(tmp_path)})
    assert board_interval(config) == 0.5


def test_board_interval_defaults_by_whether_timers_run(monkeypatch, tmp_path):
    monkeypatch.delenv("PRACTICUM_BOARD_INTERVAL", raising=False)
    running = load_config({"INSTANCE_DIR": str(tmp_path)})
    assert board_interval(running) == 1.0
    assert board_interval({**running, "RUN_TIMERS": False}) == 0.0
