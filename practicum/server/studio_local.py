"""`practicum studio FILE`: the workbench on 127.0.0.1 for one scenario file on this machine."""

from __future__ import annotations

import argparse
import secrets
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parents[2]


def create_studio_app(file: str | Path, scenario_dir: str | Path | None = None) -> Flask:
    """Return a Flask app serving only the studio, editing ``file``."""
    from flask import Flask

    from practicum.server.catalog import load_catalog
    from practicum.server.i18n import init_i18n
    from practicum.server.studio import studio

    app = Flask(
        __name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static")
    )
    app.config.update(
        SECRET_KEY=secrets.token_hex(32),
        STUDIO_FILE=str(Path(file).resolve()),
        STUDIO_KEY=secrets.token_urlsafe(24),
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
    )
    catalog, _problems = load_catalog(scenario_dir or ROOT / "scenarios")
    app.extensions["practicum.studio_catalog"] = catalog
    init_i18n(app)  # the page and its script in the author's language (?lang=, cookie, browser)
    app.register_blueprint(studio)

    @app.get("/")
    def root() -> Any:
        from flask import redirect, url_for

        return redirect(url_for("studio.page"))

    return app


def add_studio_command(subparsers: Any) -> None:
    """Add `practicum studio FILE [--port N] [--open]`."""
    command = subparsers.add_parser(
        "studio",
        help="edit a scenario file in the browser workbench (on this machine only)",
        description="Serve the authoring workbench on 127.0.0.1 for FILE: live validate and "
        "lint findings, round previews and plan plays; Save writes FILE (keeping FILE.bak).",
    )
    command.add_argument("file", metavar="FILE", help="scenario file (created on first Save)")
    command.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    command.add_argument("--open", action="store_true", help="open the page in a browser")
    command.set_defaults(func=run_studio)


def run_studio(args: argparse.Namespace, out: TextIO) -> int:
    """Serve until interrupted; print the address with its one-time key."""
    from werkzeug.serving import make_server

    path = Path(args.file)
    if path.is_dir() or not path.parent.is_dir():
        out.write(f"practicum studio: {args.file}: not a file in an existing directory\n")
        return 2
    app = create_studio_app(path)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}/studio?key={app.config['STUDIO_KEY']}"
    out.write(f"Studio for {path} at {url}\n(Ctrl+C stops it)\n")
    out.flush()
    if args.open:
        webbrowser.open(url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
