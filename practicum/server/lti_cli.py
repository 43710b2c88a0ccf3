"""`practicum lti keys|jwks|urls|add-platform|list|remove`: the LTI tool's keys and platform
registrations from a shell (docs/lti.md). Works on the files the server reads
(PRACTICUM_LTI_CONFIG, PRACTICUM_LTI_PRIVATE_KEY, PRACTICUM_INSTANCE_DIR)."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

EXIT_OK, EXIT_PROBLEMS = 0, 1


def add_lti_command(subparsers: Any) -> None:
    """Register `practicum lti` and its subcommands."""
    command = subparsers.add_parser(
        "lti",
        help="LTI 1.3: tool keys, URLs and platform registrations",
        description="Manage the LTI 1.3 tool: its key pair, the URLs a platform needs, and the "
        "platforms (LMSs) registered with it.",
    )
    actions = command.add_subparsers(dest="action", metavar="ACTION", required=True)
    keys = actions.add_parser("keys", help="make the tool's private key (if there is none)")
    keys.add_argument(
        "--rotate",
        action="store_true",
        help="replace an existing key (platforms must fetch the new JWKS)",
    )
    actions.add_parser("jwks", help="print the tool's public keys (JWKS)")
    urls = actions.add_parser("urls", help="print the URLs to enter in a platform")
    urls.add_argument(
        "--base",
        required=True,
        metavar="URL",
        help="the public address of this server, e.g. https://practicum.example.org",
    )
    add = actions.add_parser("add-platform", help="register a platform (or replace one)")
    add.add_argument("--name", default="", help="a label, e.g. 'Moodle'")
    add.add_argument("--issuer", required=True, help="the platform's issuer (iss)")
    add.add_argument("--client-id", required=True, help="the client ID the platform gave")
    add.add_argument(
        "--deployment-id",
        required=True,
        action="append",
        dest="deployment_ids",
        metavar="ID",
        help="a deployment ID (repeat for several)",
    )
    add.add_argument("--login-url", required=True, help="the platform's OIDC authentication URL")
    add.add_argument("--token-url", required=True, help="the platform's access token URL")
    add.add_argument("--jwks-url", required=True, help="the platform's public keyset URL")
    add.add_argument("--audience", default=None, help="token audience, if not the token URL")
    actions.add_parser("list", help="list the registered platforms")
    remove = actions.add_parser("remove", help="remove a platform registration")
    remove.add_argument("--issuer", required=True)
    remove.add_argument("--client-id", required=True)
    command.set_defaults(func=run_lti)


def run_lti(args: argparse.Namespace, out: TextIO) -> int:
    """Run one `practicum lti` action."""
    from practicum.server.config import load_config
    from practicum.server.lti_config import (
        LtiConfigError,
        check_registration,
        config_path,
        generate_private_key,
        key_path,
        private_key,
        public_jwk,
        read_registrations,
        write_private_key,
        write_registrations,
    )

    config = load_config()
    path = config_path(config)
    try:
        if args.action == "keys":
            if config.get("LTI_PRIVATE_KEY"):
                out.write("The key comes from PRACTICUM_LTI_PRIVATE_KEY; nothing written.\n")
                return EXIT_OK
            target = key_path(config)
            if target.exists() and not args.rotate:
                out.write(f"{target}: a key exists already (--rotate replaces it).\n")
                return EXIT_OK
            write_private_key(target, generate_private_key())
            out.write(f"{target}: new key written; its public part: `practicum lti jwks`.\n")
        elif args.action == "jwks":
            out.write(json.dumps({"keys": [public_jwk(private_key(config))]}, indent=2) + "\n")
        elif args.action == "urls":
            base = args.base.rstrip("/")
            out.write(
                f"Tool URL / target link URI: {base}/lti/launch\n"
                f"Initiate login URL:         {base}/lti/login\n"
                f"Redirection URI(s):         {base}/lti/launch\n"
                f"Public keyset (JWKS) URL:   {base}/lti/jwks.json\n"
            )
        elif args.action == "add-platform":
            entry = check_registration(
                {
                    "name": args.name,
                    "issuer": args.issuer,
                    "client_id": args.client_id,
                    "deployment_ids": args.deployment_ids,
                    "auth_login_url": args.login_url,
                    "auth_token_url": args.token_url,
                    "key_set_url": args.jwks_url,
                    **({"auth_audience": args.audience} if args.audience else {}),
                }
            )
            platforms = [
                p
                for p in read_registrations(path)
                if (p["issuer"], p["client_id"]) != (args.issuer, args.client_id)
            ]
            write_registrations(path, [*platforms, entry])
            out.write(f"{path}: platform {args.issuer} ({args.client_id}) registered.\n")
        elif args.action == "list":
            platforms = read_registrations(path)
            if not platforms:
                out.write(f"{path}: no platform registered.\n")
            for p in platforms:
                out.write(
                    f"{p.get('name') or '-'}\tissuer={p['issuer']}\tclient_id={p['client_id']}"
                    f"\tdeployments={','.join(p['deployment_ids'])}\n"
                )
        elif args.action == "remove":
            platforms = read_registrations(path)
            kept = [
                p
                for p in platforms
                if (p["issuer"], p["client_id"]) != (args.issuer, args.client_id)
            ]
            if len(kept) == len(platforms):
                out.write(f"{path}: no platform {args.issuer} ({args.client_id}).\n")
                return EXIT_PROBLEMS
            write_registrations(path, kept)
            out.write(f"{path}: platform {args.issuer} ({args.client_id}) removed.\n")
    except LtiConfigError as exc:
        out.write(f"practicum lti: {exc}\n")
        return EXIT_PROBLEMS
    return EXIT_OK
