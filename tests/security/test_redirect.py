"""After sign-in, `next` may only lead to a path on this site (no open redirect)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.security.conftest import ADMIN_PASSWORD, csrf_from

SESSIONS = "/facilitator/sessions"

# Each one leaves the site in some browser: browsers strip tabs and newlines from URLs and
# read a backslash as a slash, so "/\t/evil.example" becomes "//evil.example".
HOSTILE = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_refuses_a_next_that_leaves_the_site(app: Flask, target: str) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/facilitator").get_data(as_text=True))
    reply = client.post(
        "/facilitator", data={"password": ADMIN_PASSWORD, "csrf_token": token, "next": target}
    )
    assert reply.status_code == 302
    assert reply.headers["Location"] == SESSIONS


@pytest.mark.parametrize("target", HOSTILE)
def test_a_signed_in_browser_is_not_sent_off_site_either(app: Flask, target: str) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/facilitator").get_data(as_text=True))
    client.post("/facilitator", data={"password": ADMIN_PASSWORD, "csrf_token": token})
    reply = client.get("/facilitator", query_string={"next": target})
    assert reply.headers["Location"] == SESSIONS


def test_a_local_path_is_kept(app: Flask) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/facilitator").get_data(as_text=True))
    reply = client.post(
        "/facilitator",
        data={"password": ADMIN_PASSWORD, "csrf_token": token,
              "next": "/facilitator/sessions/s_abc/projector?x=1"},
    )
    assert reply.headers["Location"] == "/facilitator/sessions/s_abc/projector?x=1"
