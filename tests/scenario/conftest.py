"""Fixtures for scenario tests."""

from __future__ import annotations

import pytest

from practicum.scenario.model import Scenario

from .helpers import load_data, minimal_data


@pytest.fixture
def minimal() -> Scenario:
    """The minimal scenario, loaded."""
    return load_data(minimal_data(), "minimal.json")
