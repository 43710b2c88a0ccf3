"""LTI fixtures: the real server (wsgi.py) registered with a real local LTI platform."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.conftest import LiveServer, clients  # noqa: F401 - the live tests' fixture
from tests.lti.platform import Platform


@pytest.fixture
def lti_pair(tmp_path: Path) -> Iterator[tuple[LiveServer, Platform]]:
    """Start the platform and the server, each knowing the other's URLs."""
    lti_config = tmp_path / "lti.json"
    server = LiveServer(
        tmp_path,
        extra_env={"PRACTICUM_LTI_CONFIG": str(lti_config), "PRACTICUM_LTI_GRADE_SECONDS": "0.2"},
    )
    platform = Platform(tmp_path, server.url)
    lti_config.write_text(json.dumps({"platforms": [platform.registration()]}))
    platform.start()
    try:
        server.start()
        yield server, platform
    finally:
        server.kill()
        platform.stop()
