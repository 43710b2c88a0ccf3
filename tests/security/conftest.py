"""Fixtures for security tests: the socket-test app plus accounts, sign-ins and tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.server import conftest as server_fixtures

# The socket tests' fixtures: an app on a temp database with a fake clock, socket clients.
app = server_fixtures.app
clock = server_fixtures.clock
connect = server_fixtures.connect
scenario_dir = server_fixtures.scenario_dir

ADMIN_PASSWORD = "letmein"  # tests/server/conftest.py's facilitator password
PASSWORD = "correct horse battery"


def csrf_from(html: str) -> str:
    """Return the CSRF token embedded in a rendered form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture
def accounts(app: Flask) -> Any:
    """Return the app's account store."""
    return app.extensions["practicum.auth"].accounts


@pytest.fixture
def add_account(accounts: Any) -> Callable[[str, str], Any]:
    """Create an account with PASSWORD."""

    def make(name: str, role: str) -> Any:
        return accounts.add(name, role, PASSWORD)

    return make


@pytest.fixture
def login(app: Flask) -> Callable[..., dict[str, Any]]:
    """POST /api/login and return (status, JSON body)."""

    def post(user: str | None, password: str, address: str = "10.0.0.1") -> Any:
        body = {"password": password} if user is None else {"user": user, "password": password}
        with app.test_client() as client:
            reply = client.post("/api/login", json=body, environ_base={"REMOTE_ADDR": address})
        return reply.status_code, reply.get_json()

    return post


@pytest.fixture
def token_of(login: Callable[..., Any]) -> Callable[[str], str]:
    """Return an API token for an account made with PASSWORD."""

    def get(user: str) -> str:
        status, body = login(user, PASSWORD)
        assert status == 200, body
        return body["token"]

    return get


@pytest.fixture
def browser_of(app: Flask) -> Callable[..., FlaskClient]:
    """Return a test client signed in through the form."""

    def sign_in(user: str, password: str = PASSWORD) -> FlaskClient:
        client = app.test_client()
        token = csrf_from(client.get("/facilitator").get_data(as_text=True))
        reply = client.post(
            "/facilitator", data={"username": user, "password": password, "csrf_token": token}
        )
        assert reply.status_code == 302, reply.get_data(as_text=True)
        return client

    return sign_in


def form_post(client: FlaskClient, path: str, data: dict[str, str], page: str) -> Any:
    """Post a form with the CSRF token read from a page the client can open."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})
