"""Fixtures every test layer may use: real backing services, started once per test run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.services import Postgres, postgres_server, redis_server

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL 15 server for the whole run (skips locally without one, fails in CI)."""
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A redis-server for the whole run (skips locally without one, fails in CI)."""
    with redis_server() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The event store backend a test runs on: every store-touching suite runs on both."""
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Return a factory of database URLs on the test's backend, one database per name."""
    made: dict[str, str] = {}

    def make(name: str = "events") -> str:
        if name not in made:
            if backend == "sqlite":
                made[name] = f"sqlite:///{tmp_path / (name + '.db')}"
            else:
                made[name] = request.getfixturevalue("postgres").new_database()
        return made[name]

    return make
