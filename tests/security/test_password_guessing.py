"""One password-guessing limit for the API and the form: failures per account name and per
address; a right password is never slowed down by it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.security.conftest import PASSWORD, csrf_from


def _form(app: Flask, user: str, password: str, address: str) -> Any:
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/facilitator", environ_base=environ).get_data(as_text=True))
    reply = client.post(
        "/facilitator",
        data={"username": user, "password": password, "csrf_token": token},
        environ_base=environ,
    )
    return reply


def test_failures_for_one_account_add_up_across_api_and_form_and_addresses(
    app: Flask, add_account: Callable[..., Any], login: Callable[..., Any]
) -> None:
    add_account("fran", "facilitator")
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    for attempt in range(limit):
        address = f"10.1.0.{attempt}"  # a new address each time: the account's limit holds
        if attempt % 2:
            assert _form(app, "fran", "guess", address).status_code == 401
        else:
            assert login("fran", "guess", address)[1]["code"] == "auth/bad_password"
    status, body = login("fran", PASSWORD, "10.2.0.1")
    assert (status, body["code"]) == (429, "auth/rate_limited")
    form = _form(app, "fran", PASSWORD, "10.2.0.2")
    assert form.status_code == 429
    assert 'data-code="auth/rate_limited"' in form.get_data(as_text=True)
    # Other accounts are not locked out by guesses at fran.
    assert login(None, "letmein", "10.2.0.3")[0] == 200


def test_the_account_limit_ends_after_its_window(
    app: Flask, clock: Any, add_account: Callable[..., Any], login: Callable[..., Any]
) -> None:
    add_account("fran", "facilitator")
    for attempt in range(app.config["LOGIN_FAILURES_PER_ACCOUNT"]):
        login("fran", "guess", f"10.1.0.{attempt}")
    assert login("fran", PASSWORD)[0] == 429
    clock.advance(15 * 60 + 1)
    assert login("fran", PASSWORD)[0] == 200


def test_one_address_guessing_many_names_is_limited(
    app: Flask, login: Callable[..., Any]
) -> None:
    limit = app.config["LOGIN_FAILURES_PER_ADDRESS"]
    for attempt in range(limit):
        assert login(f"user{attempt}", "guess", "10.9.9.9")[0] == 401
    assert login(None, "letmein", "10.9.9.9")[1]["code"] == "auth/rate_limited"
    assert login(None, "letmein", "10.9.9.8")[0] == 200


def test_successful_sign_ins_do_not_use_up_the_limit(
    app: Flask, add_account: Callable[..., Any], login: Callable[..., Any]
) -> None:
    add_account("fran", "facilitator")
    for _ in range(app.config["LOGIN_FAILURES_PER_ADDRESS"] + 5):
        assert login("fran", PASSWORD, "10.3.0.1")[0] == 200
    for _ in range(app.config["LOGIN_FAILURES_PER_ACCOUNT"] - 1):
        assert _form(app, "fran", "guess", "10.3.0.1").status_code == 401
    assert _form(app, "fran", PASSWORD, "10.3.0.1").status_code == 302
