"""Keep the message catalogues in step with the code: extract, update, compile, check.

`python -m practicum.server.i18n_catalogue` rewrites the English JS catalogue from the keys
the scripts use, updates `messages.pot` and each locale's `.po` from the templates and Python
code, and compiles the `.mo` files Flask-Babel reads. `--check` changes nothing and lists what
is missing (the catalogue test runs the same checks).
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from practicum.engine.errors import ERRORS
from practicum.server.i18n import DEFAULT_LOCALE, JS_CATALOGUES, LOCALES, TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "static" / "js"
DOMAIN = "messages"
# Babel's extraction methods: Jinja templates and the Python that renders pages.
METHOD_MAP = [("templates/**.html", "jinja2"), ("practicum/server/**.py", "python")]
# pgettext: one English word meaning two things (the studio's lint "Findings" beside a team's).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "pgettext": ((1, "c"), 2),
}
# A call of the scripts' lookup function (`t`, or `tr` where `t` names a team) on a literal.
JS_CALL = re.compile(r"(?<![\w.$])(?:t|tr)\(\s*\"((?:[^\"\\]|\\.)*)\"")

# Codes the socket layer refuses with (practicum/server/sockets.py), English as it sends them.
SOCKET_ERRORS = {
    "auth/bad_token": "This sign-in token is not valid; join again.",
    "auth/no_identity": "Join a session (or say hello with your token) first.",
    "auth/not_connected": "This socket is not registered; reconnect.",
    "auth/unknown_learner": "That seat is no longer in the session; join again.",
    "join/bad_code": "No session has that join code. Check the code on screen.",
    "join/rate_limited": "Too many join attempts from here; wait a minute.",
    "payload/invalid": "The payload must be JSON of reasonable depth.",
    "payload/too_large": "The payload is {size} bytes; the limit is {limit}.",
    "rate/limited": "Too many messages: slow down and retry in a moment.",
    "server/error": "Something went wrong on the server; try again.",
    "session/unknown": "That session does not exist.",
    "session/moved": "This session is served by another server now; reconnect to reach it.",
}


def js_keys(scripts: Path = SCRIPTS) -> dict[str, list[str]]:
    """Return every key the scripts look up, with the files that use it."""
    keys: dict[str, list[str]] = {}
    for path in sorted(scripts.glob("*.js")):
        for match in JS_CALL.finditer(path.read_text(encoding="utf-8")):
            key = json.loads(f'"{match.group(1)}"')
            keys.setdefault(key, []).append(path.name)
    return keys


def error_templates() -> dict[str, str]:
    """Return the English of every rejection code a client can be sent, as catalogue keys."""
    merged = {**ERRORS, **SOCKET_ERRORS}
    return {f"error:{code}": text for code, text in sorted(merged.items())}


def template_catalog() -> Catalog:
    """Return the messages of the templates and page code, extracted by Babel."""
    catalog = Catalog(project="Practicum", domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(locale: str) -> Path:
    """Return where a locale's template catalogue lives."""
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, locale: str) -> Catalog:
    """Return a .po file as a Babel catalogue."""
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    """Return a catalogue compiled to .mo bytes (fuzzy entries left out, as gettext does)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def english_js(existing: dict[str, Any], keys: dict[str, list[str]]) -> dict[str, Any]:
    """Return the English JS catalogue: each key as its own text, plural forms kept as written."""
    out: dict[str, Any] = {}
    for key in sorted(keys):
        value = existing.get(key, key)
        out[key] = value if isinstance(value, dict) else key
    out.update(error_templates())
    # Server sentences ("server:" keys) are written by hand, in matching order: keep them.
    out.update({k: v for k, v in existing.items() if k.startswith("server:")})
    return out


def load_js(locale: str) -> dict[str, Any]:
    """Return a locale's JS catalogue as stored."""
    path = JS_CATALOGUES / f"{locale}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def problems() -> list[str]:
    """Return every way the catalogues fall short of the code (empty when all is well)."""
    found: list[str] = []
    keys = js_keys()
    english = load_js(DEFAULT_LOCALE)
    wanted = set(keys) | set(error_templates())
    for key in sorted(wanted - set(english)):
        found.append(f"en.json lacks {key!r} (used in {', '.join(keys.get(key, ['errors']))})")
    for code, text in error_templates().items():
        if english.get(code) != text:
            found.append(f"en.json has an old English text for {code!r}")
    server_keys = {k for k in english if k.startswith("server:")}
    for locale in LOCALES:
        if locale == DEFAULT_LOCALE:
            continue
        messages = load_js(locale)
        for key in sorted(wanted | server_keys):
            value = messages.get(key)
            if not value:
                found.append(f"{locale}.json lacks {key!r}")
            elif isinstance(english.get(key), dict) and not isinstance(value, dict):
                found.append(f"{locale}.json gives {key!r} no plural forms")
        for key in sorted(set(messages) - wanted - server_keys):
            found.append(f"{locale}.json holds {key!r}, which no script uses")
        found.extend(_po_problems(locale))
    return found


def _po_problems(locale: str) -> list[str]:
    path = po_path(locale)
    if not path.exists():
        return [f"{path} is missing"]
    catalog = read_catalog(path, locale)
    found = []
    for message in template_catalog():
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        forms = entry.string if entry is not None and isinstance(entry.string, tuple) else None
        missing = entry is None or not (all(forms) if forms else entry.string)
        if missing or entry.fuzzy:
            found.append(f"{locale} .po lacks a translation of {message.id!r}")
    mo = path.with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled(catalog):
        found.append(f"{mo} is not compiled from its .po (run python -m {__name__})")
    return found


def update() -> None:
    """Rewrite en.json, messages.pot, each locale's .po (new ids added, old ones dropped), .mo."""
    english = english_js(load_js(DEFAULT_LOCALE), js_keys())
    JS_CATALOGUES.mkdir(parents=True, exist_ok=True)
    (JS_CATALOGUES / f"{DEFAULT_LOCALE}.json").write_text(
        json.dumps(english, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    template = template_catalog()
    with (TRANSLATIONS / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, template, width=100, omit_header=False, sort_output=True)
    for locale in LOCALES:
        if locale == DEFAULT_LOCALE:
            continue
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read_catalog(path, locale) if path.exists() else Catalog(locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, ignore_obsolete=True)
        path.with_suffix(".mo").write_bytes(compiled(read_catalog(path, locale)))


def main(argv: list[str] | None = None) -> int:
    """Update the catalogues, or with --check only report what is missing."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" not in args:
        update()
    found = problems()
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
