"""`practicum user add|list|remove|passwd` on the server's database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from practicum.cli import main
from practicum.server.accounts import Accounts
from practicum.server.store import EventStore


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PRACTICUM_DATABASE_URL", url)
    monkeypatch.setenv("PRACTICUM_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("PRACTICUM_PASSWORD_HASH_COST", "10")
    return url


def run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


def _accounts(url: str) -> Accounts:
    return Accounts(EventStore(url).engine, lambda: 1_800_000_000.0, 10)


def test_add_list_passwd_remove(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(monkeypatch, "user", "add", "Root", "--role", "admin", "--password-stdin",
                    stdin="first password\n")
    assert (code, out) == (0, "added root (admin)\n")
    code, _ = run(monkeypatch, "user", "add", "fran", "--role", "facilitator",
                  "--password-stdin", stdin="fran's password\n")
    assert code == 0
    assert run(monkeypatch, "user", "list") == (0, "fran\tfacilitator\nroot\tadmin\n")

    accounts = _accounts(database)
    fran = accounts.authenticate("fran", "fran's password")
    assert fran is not None
    login = accounts.open_login(fran, 12)
    code, out = run(monkeypatch, "user", "passwd", "fran", "--password-stdin",
                    stdin="a new password\n")
    assert (code, out) == (0, "password of fran changed; 1 login(s) ended\n")
    assert accounts.login(login.id) is None
    assert accounts.authenticate("fran", "fran's password") is None
    assert accounts.authenticate("fran", "a new password") is not None

    assert run(monkeypatch, "user", "remove", "fran")[0] == 0
    assert run(monkeypatch, "user", "list") == (0, "root\tadmin\n")


def test_mistakes_are_reported_with_codes(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(monkeypatch, "user", "add", "fran", "--role", "facilitator",
                    "--password-stdin", stdin="long enough\n")
    assert code == 1 and "account/first_admin" in out
    run(monkeypatch, "user", "add", "root", "--role", "admin", "--password-stdin",
        stdin="long enough\n")
    code, out = run(monkeypatch, "user", "add", "root", "--role", "admin", "--password-stdin",
                    stdin="long enough\n")
    assert code == 1 and "account/exists" in out
    code, out = run(monkeypatch, "user", "add", "bad name", "--role", "observer",
                    "--password-stdin", stdin="long enough\n")
    assert code == 1 and "account/bad_name" in out
    code, out = run(monkeypatch, "user", "add", "shorty", "--role", "observer",
                    "--password-stdin", stdin="short\n")
    assert code == 1 and "account/bad_password" in out
    assert run(monkeypatch, "user", "remove", "nobody")[1].endswith("(account/unknown)\n")
    assert "account/last_admin" in run(monkeypatch, "user", "remove", "root")[1]
    assert run(monkeypatch, "user", "add", "x", "--role", "boss")[0] == 2  # argparse usage


def test_the_password_prompt_asks_twice(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["one password", "another one"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(answers))
    code, out = run(monkeypatch, "user", "add", "root", "--role", "admin")
    assert code == 1 and "account/mismatch" in out
    answers = iter(["same password", "same password"])
    assert run(monkeypatch, "user", "add", "root", "--role", "admin")[0] == 0
