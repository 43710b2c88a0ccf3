"""Translations: the learner's language, the template and JS catalogues, locale formatting."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel import Locale, numbers
from babel.dates import format_datetime as babel_datetime
from babel.dates import format_time as babel_time
from babel.dates import get_timezone
from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

# The languages the interface ships, in the order the picker lists them.
LOCALES: tuple[str, ...] = ("en", "de")
DEFAULT_LOCALE = "en"
COOKIE = "practicum_lang"
QUERY = "lang"  # ?lang=de picks a language explicitly (the picker's links without JavaScript)
COOKIE_SECONDS = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
JS_CATALOGUES = TRANSLATIONS / "js"
# Prefixes of JS catalogue keys that translate what the server says (rejection codes, notices,
# activity lines): the page also carries their English templates to read the server's words.
SERVER_PREFIXES = ("error:", "server:")


def native_name(code: str) -> str:
    """Return a language's own name, capitalised: "Deutsch" for de."""
    return Locale.parse(code).get_display_name(code).capitalize()


def supported(code: str | None) -> str | None:
    """Return the shipped locale a tag names ("de-AT" gives "de"), or None."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LOCALES else None


def choose_locale(explicit: str | None, cookie: str | None, accept_language: str | None) -> str:
    """Return the locale to use: an explicit choice, then the cookie, then the browser, then en."""
    for choice in (explicit, cookie):
        found = supported(choice)
        if found:
            return found
    if accept_language:
        accepted = parse_accept_header(accept_language, LanguageAccept)
        for tag, _quality in accepted:
            found = supported(tag)
            if found:
                return found
    return DEFAULT_LOCALE


def request_locale() -> str:
    """Return the locale of the current request (HTTP page or Socket.IO handshake)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    cached = getattr(g, "practicum_locale", None)
    if cached:
        return str(cached)
    chosen = choose_locale(
        request.args.get(QUERY),
        request.cookies.get(COOKIE),
        request.headers.get("Accept-Language"),
    )
    g.practicum_locale = chosen
    return chosen


# --- formatting (Babel) -------------------------------------------------------------------------


def format_number(value: float, locale: str, digits: int = 1) -> str:
    """Return a number with the locale's separators and up to `digits` decimals."""
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return numbers.format_decimal(value, format=pattern, locale=locale)


def format_percent(ratio: float, locale: str, digits: int = 0) -> str:
    """Return a ratio as the locale writes a percentage: "42%" in en, "42 %" in de."""
    # The locale's own pattern (where the sign goes, the space before it), with `digits`.
    pattern = Locale.parse(locale).percent_formats[None].pattern.split(";")[0]
    if digits > 0:
        pattern = re.sub(r"#,##0(?!\.)", "#,##0." + "0" * digits, pattern, count=1)
    return numbers.format_percent(ratio, format=pattern, locale=locale)


def format_money(amount: float, currency: str, locale: str) -> str:
    """Return an amount in a currency, whole units: "€12,500" in en, "12.500 €" in de."""
    # The locale's own pattern (symbol before or after, spacing) without its cents.
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    return numbers.format_currency(
        amount, currency, format=pattern.replace(".00", ""), locale=locale, currency_digits=False
    )


def format_datetime(epoch_seconds: float, locale: str, tz: str = "UTC") -> str:
    """Return a date and time (medium length) for the locale."""
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return babel_datetime(moment, format="medium", tzinfo=get_timezone(tz), locale=locale)


def format_time(epoch_seconds: float, locale: str, tz: str = "UTC") -> str:
    """Return a time of day (hours and minutes) for the locale."""
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return babel_time(moment, format="short", tzinfo=get_timezone(tz), locale=locale)


# --- the JS catalogue ---------------------------------------------------------------------------


@functools.cache
def js_catalogue(locale: str) -> dict[str, Any]:
    """Return a locale's JS catalogue (key -> text, or plural forms {"one": ..., "other": ...})."""
    path = JS_CATALOGUES / f"{locale}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("//")}


def page_i18n(locale: str) -> dict[str, Any]:
    """Return what a page embeds for its scripts: the locale, its messages, server templates."""
    english = js_catalogue(DEFAULT_LOCALE)
    if locale == DEFAULT_LOCALE:
        # A key is its own English text: only plural forms need sending, and the server's
        # English needs no reading back.
        plural = {k: v for k, v in english.items() if isinstance(v, dict)}
        return {"locale": locale, "messages": plural, "server": {}}
    return {
        "locale": locale,
        "messages": js_catalogue(locale),
        "server": {k: v for k, v in english.items() if k.startswith(SERVER_PREFIXES)},
    }


# --- wiring -------------------------------------------------------------------------------------


def _remember_choice(response: Response) -> Response:
    """Keep an explicit ?lang= choice in a cookie, so it lasts across pages and visits."""
    chosen = supported(request.args.get(QUERY))
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_SECONDS, samesite="Lax", path="/")
    return response


def _template_globals() -> Mapping[str, Any]:
    locale = request_locale()
    return {
        "locale": locale,
        "locales": [(code, native_name(code)) for code in LOCALES],
        "i18n_page": lambda: page_i18n(locale),
    }


def init_i18n(app: Flask) -> None:
    """Install Flask-Babel with the learner's locale, the catalogues and formatting filters."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=request_locale)
    app.after_request(_remember_choice)
    app.context_processor(_template_globals)
    app.jinja_env.filters["number"] = lambda v, d=1: format_number(v, request_locale(), d)
    app.jinja_env.filters["percent"] = lambda v, d=0: format_percent(v, request_locale(), d)
    app.jinja_env.filters["money"] = lambda v, c: format_money(v, c, request_locale())
    app.jinja_env.filters["datetime"] = lambda v: format_datetime(v, request_locale())
