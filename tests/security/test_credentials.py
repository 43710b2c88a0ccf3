"""Credentials that end: per-login tokens and cookies expire, and sign-out, a password change or
removing the account revoke them at once, open facilitator sockets included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from practicum.server.auth import sweep_logins
from tests.security.conftest import PASSWORD, form_post


def _api(app: Flask, method: str, path: str, token: str, body: Any = None) -> Any:
    with app.test_client() as client:
        reply = client.open(
            path, method=method, json=body, headers={"Authorization": f"Bearer {token}"}
        )
    return reply.status_code, reply.get_json()


def test_each_login_gets_its_own_token_naming_it(login: Callable[..., Any]) -> None:
    first = login(None, "letmein")[1]
    second = login(None, "letmein")[1]
    assert first["ok"] and second["ok"]
    assert first["token"] != second["token"]
    assert first["loginId"] != second["loginId"]
    assert first["user"] == "admin" and first["role"] == "admin"


def test_signing_out_a_token_ends_it_and_only_it(app: Flask, login: Callable[..., Any]) -> None:
    kept = login(None, "letmein")[1]["token"]
    ended = login(None, "letmein")[1]["token"]
    assert _api(app, "GET", "/api/sessions", ended)[0] == 200
    assert _api(app, "POST", "/api/logout", ended)[0] == 200
    status, body = _api(app, "GET", "/api/sessions", ended)
    assert (status, body["code"]) == (401, "auth/forbidden")
    assert _api(app, "GET", "/api/sessions", kept)[0] == 200


def test_a_token_expires(app: Flask, clock: Any, login: Callable[..., Any]) -> None:
    token = login(None, "letmein")[1]["token"]
    clock.advance(app.config["LOGIN_HOURS"] * 3600 - 60)
    assert _api(app, "GET", "/api/sessions", token)[0] == 200
    clock.advance(120)
    assert _api(app, "GET", "/api/sessions", token)[0] == 401


def test_a_password_change_ends_every_login_of_the_account(
    app: Flask, accounts: Any, add_account: Callable[..., Any], token_of: Callable[[str], str]
) -> None:
    add_account("fran", "facilitator")
    token = token_of("fran")
    accounts.set_password("fran", "a brand new password")
    assert _api(app, "GET", "/api/sessions", token)[0] == 401


def test_removing_an_account_ends_its_logins(
    app: Flask, add_account: Callable[..., Any], token_of: Callable[[str], str],
    browser_of: Callable[..., Any],
) -> None:
    add_account("fran", "facilitator")
    token = token_of("fran")
    admin = browser_of("admin", "letmein")
    reply = form_post(admin, "/facilitator/accounts/fran/remove", {}, "/facilitator/accounts")
    assert reply.status_code == 302
    assert _api(app, "GET", "/api/sessions", token)[0] == 401


def test_a_copied_cookie_stops_working_after_sign_out(
    app: Flask, add_account: Callable[..., Any], browser_of: Callable[..., Any]
) -> None:
    add_account("fran", "facilitator")
    browser = browser_of("fran")
    assert browser.get("/facilitator/sessions").status_code == 200
    stolen = browser.get_cookie("session").value
    form_post(browser, "/facilitator/sign-out", {}, "/facilitator/sessions")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    reply = thief.get("/facilitator/sessions")
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("/facilitator?next=")
    # Nor does it open a facilitator socket.
    from practicum.server.extensions import socketio

    refused = socketio.test_client(app, namespace="/facilitate", flask_test_client=thief)
    assert not refused.is_connected("/facilitate")


def test_an_open_socket_is_disconnected_when_its_login_is_revoked(
    app: Flask, connect: Callable[..., Any], add_account: Callable[..., Any],
    token_of: Callable[[str], str], browser_of: Callable[..., Any],
) -> None:
    add_account("fran", "facilitator")
    fran = connect("/facilitate", auth={"token": token_of("fran")})
    other = connect("/facilitate", auth={"token": token_of("fran")})
    admin_socket = connect("/facilitate", auth={"token": token_of_admin(app)})
    assert fran.client.is_connected("/facilitate")
    # Signing out one login (the API's logout) closes that login's socket only.
    token = token_of("fran")
    third = connect("/facilitate", auth={"token": token})
    assert _api(app, "POST", "/api/logout", token)[0] == 200
    assert not third.client.is_connected("/facilitate")
    assert fran.client.is_connected("/facilitate")
    # Removing the account closes all of its sockets at once, and nobody else's.
    admin = browser_of("admin", "letmein")
    form_post(admin, "/facilitator/accounts/fran/remove", {}, "/facilitator/accounts")
    assert not fran.client.is_connected("/facilitate")
    assert not other.client.is_connected("/facilitate")
    assert admin_socket.client.is_connected("/facilitate")


def test_a_login_revoked_by_another_process_is_refused_and_swept(
    app: Flask, connect: Callable[..., Any], accounts: Any, add_account: Callable[..., Any],
    token_of: Callable[[str], str],
) -> None:
    session_id, _code = app.extensions["practicum"].create_session("harbor")
    add_account("fran", "facilitator")
    accounts.share(session_id, "fran", "facilitator")
    fran = connect("/facilitate", auth={"token": token_of("fran")})
    fran.session_id = session_id
    assert fran.send("watch", sessionId=session_id)["ok"]
    # What `practicum user passwd` does from another process: the database only.
    accounts.set_password("fran", "changed from the shell")
    refused = fran.send("pause")
    assert refused["code"] == "auth/revoked"
    with app.app_context():
        assert sweep_logins(app) == 1
    assert not fran.client.is_connected("/facilitate")


def token_of_admin(app: Flask) -> str:
    """Return a token of the first admin."""
    with app.test_client() as client:
        return client.post("/api/login", json={"password": "letmein"}).get_json()["token"]


def test_the_password_is_stored_as_a_salted_scrypt_hash(app: Flask, accounts: Any) -> None:
    from sqlalchemy import select

    from practicum.server.passwords import verify_password
    from practicum.server.store import accounts_table

    accounts.add("one", "observer", PASSWORD)
    accounts.add("two", "observer", PASSWORD)
    with accounts.engine.connect() as conn:
        query = select(accounts_table.c.name, accounts_table.c.password_hash)
        rows = {name: encoded for name, encoded in conn.execute(query)}
    assert PASSWORD not in rows["one"]
    scheme, log2_n, r, p, salt_one, hash_one = rows["one"].split("$")
    assert (scheme, r, p) == ("scrypt", "8", "3")
    assert int(log2_n) == app.config["PASSWORD_HASH_COST"]
    assert rows["two"].split("$")[4] != salt_one  # a salt per account
    assert rows["two"].split("$")[5] != hash_one
    assert verify_password(PASSWORD, rows["one"])
    assert not verify_password(PASSWORD + "x", rows["one"])


def test_changing_ones_password_in_the_browser_ends_the_other_logins(
    app: Flask, add_account: Callable[..., Any], token_of: Callable[[str], str],
    browser_of: Callable[..., Any], login: Callable[..., Any],
) -> None:
    add_account("fran", "facilitator")
    elsewhere = token_of("fran")
    browser = browser_of("fran")
    page = "/facilitator/password"
    wrong = form_post(browser, page, {"current": "nope", "new": "new password 1",
                                      "again": "new password 1"}, page)
    assert wrong.status_code == 401
    differ = form_post(browser, page, {"current": PASSWORD, "new": "new password 1",
                                       "again": "new password 2"}, page)
    assert differ.status_code == 400
    assert _api(app, "GET", "/api/sessions", elsewhere)[0] == 200  # nothing changed yet
    done = form_post(browser, page, {"current": PASSWORD, "new": "new password 1",
                                     "again": "new password 1"}, page)
    assert done.status_code == 302
    assert _api(app, "GET", "/api/sessions", elsewhere)[0] == 401
    assert browser.get("/facilitator/sessions").status_code == 200  # this browser stays in
    assert login("fran", PASSWORD)[0] == 401
    assert login("fran", "new password 1")[0] == 200
