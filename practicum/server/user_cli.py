"""`practicum user add|list|remove|passwd`: manage facilitator accounts from a shell.

Works on the database the server uses (PRACTICUM_DATABASE_URL, or the SQLite file in the
instance directory). Revoked logins of a running server are refused at their next request or
socket command, and its open consoles are closed by its login sweep within seconds.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import Any, TextIO

from practicum.server.roles import ADMIN, ROLES

EXIT_OK, EXIT_PROBLEMS = 0, 1


def add_user_command(subparsers: Any) -> None:
    """Register `practicum user` and its four subcommands."""
    command = subparsers.add_parser(
        "user", help="manage facilitator accounts (add, list, remove, passwd)",
        description="Manage the facilitator accounts in the server's database.",
    )
    actions = command.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create an account")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    actions.add_parser("list", help="list the accounts")
    remove = actions.add_parser("remove", help="remove an account and end its logins")
    remove.add_argument("name", metavar="NAME")
    passwd = actions.add_parser("passwd", help="set an account's password and end its logins")
    passwd.add_argument("name", metavar="NAME")
    passwd.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    command.set_defaults(func=run_user)


def _accounts() -> tuple[Any, Any]:
    # Imported here: `practicum validate` and friends need no database library.
    from practicum.server.accounts import Accounts
    from practicum.server.config import load_config
    from practicum.server.store import EventStore

    config = load_config()
    store = EventStore(config["DATABASE_URL"], config["SQLITE_SYNCHRONOUS"])
    return Accounts(store.engine, time.time, int(config["PASSWORD_HASH_COST"])), store


def _password(args: argparse.Namespace) -> str:
    from practicum.server.accounts import AccountError

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise AccountError("account/mismatch", "The two passwords differ; nothing changed.")
    return first


def run_user(args: argparse.Namespace, out: TextIO) -> int:
    """Run one `practicum user` action; print what changed or why nothing did."""
    from practicum.server.accounts import AccountError

    accounts, store = _accounts()
    try:
        if args.action == "list":
            for account in accounts.all():
                out.write(f"{account.name}\t{account.role}\n")
            return EXIT_OK
        if args.action == "add":
            if args.role != ADMIN and accounts.count() == 0:
                # Otherwise the server would never create its first admin and nobody could
                # manage accounts from the browser.
                raise AccountError(
                    "account/first_admin",
                    "The first account must be an admin (or start the server once: it creates "
                    "'admin' from the facilitator password).",
                )
            account = accounts.add(args.name, args.role, _password(args))
            out.write(f"added {account.name} ({account.role})\n")
        elif args.action == "remove":
            revoked = accounts.remove(args.name)
            out.write(f"removed {args.name.lower()}; {len(revoked)} login(s) ended\n")
        elif args.action == "passwd":
            revoked = accounts.set_password(args.name, _password(args))
            out.write(f"password of {args.name.lower()} changed; {len(revoked)} login(s) ended\n")
        return EXIT_OK
    except AccountError as exc:
        out.write(f"practicum user {args.action}: {exc.message} ({exc.code})\n")
        return EXIT_PROBLEMS
    finally:
        store.dispose()
