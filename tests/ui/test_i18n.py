"""Translations: the language choice, locale formatting, complete catalogues, no stray English."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from practicum.server import i18n_catalogue
from practicum.server.i18n import (
    COOKIE,
    choose_locale,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    format_time,
    js_catalogue,
)

ROOT = Path(__file__).resolve().parents[2]
# Every page: its strings come from the catalogues (a new page must use _() too).
TEMPLATES = sorted(path.name for path in (ROOT / "templates").glob("*.html"))
# Text that stays as written in every language: the brand, symbols, the example join code.
ALLOWED_LITERALS = {"Practicum", "P", "–", "✉", "stage", "#main"}


# --- the language choice ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("explicit", "cookie", "accept", "expected"),
    [
        ("de", "en", "en-US", "de"),  # an explicit choice beats everything
        (None, "de", "en-US,en;q=0.9", "de"),  # then the remembered choice
        ("xx", "de", "en", "de"),  # an unknown explicit choice is ignored
        (None, None, "fr-CH, de-AT;q=0.8, en;q=0.5", "de"),  # then the browser, by quality
        (None, "klingon", "de-DE", "de"),
        (None, None, "fr, es", "en"),  # then the default
        (None, None, None, "en"),
        ("DE-ch", None, None, "de"),  # tags are read case-blind, region ignored
    ],
)
def test_the_language_is_the_choice_then_the_cookie_then_the_browser_then_english(
    explicit: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert choose_locale(explicit, cookie, accept) == expected


def test_pages_follow_the_browser_and_a_choice_is_remembered(client: FlaskClient) -> None:
    german = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    html = german.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Tritt dem Practicum deines Teams bei" in html
    assert "Join your team" not in html
    # The scripts get the German catalogue, embedded in the page.
    embedded = re.search(r'<script type="application/json" id="i18n-data">(.*?)</script>', html)
    assert embedded and json.loads(embedded.group(1))["messages"]["Joining…"] == "Trete bei …"

    chosen = client.get("/?lang=en", headers={"Accept-Language": "de-DE"})
    assert '<html lang="en">' in chosen.get_data(as_text=True)
    # English pages carry only the plural forms: every other key is its own English.
    english = re.search(r'id="i18n-data">(.*?)</script>', chosen.get_data(as_text=True)).group(1)
    sent = json.loads(english)["messages"]
    assert sent[" · {count} members"]["one"] == " · {count} member"
    assert all(isinstance(value, dict) for value in sent.values())
    assert f"{COOKIE}=en" in chosen.headers.get("Set-Cookie", "")
    # The cookie now outweighs the browser's German.
    again = client.get("/", headers={"Accept-Language": "de-DE"})
    assert "Join your team's practicum" in again.get_data(as_text=True)


# --- formatting -----------------------------------------------------------------------------------


def test_numbers_money_percentages_and_dates_are_written_the_locale_s_way() -> None:
    assert format_number(12500.25, "en") == "12,500.2"
    assert format_number(12500.25, "de") == "12.500,2"
    assert format_number(3, "de", 0) == "3"
    assert format_percent(0.425, "en") == "42%"
    assert format_percent(0.425, "de") == "42\xa0%"
    assert format_percent(0.425, "de", 1) == "42,5\xa0%"
    assert format_money(12500, "EUR", "en") == "€12,500"
    assert format_money(12500, "EUR", "de") == "12.500\xa0€"
    assert format_money(-300, "GBP", "de") == "-300\xa0£"
    moment = 1_800_000_000  # 2027-01-15 08:00 UTC
    assert format_datetime(moment, "en") == "Jan 15, 2027, 8:00:00\u202fAM"
    assert format_datetime(moment, "de") == "15.01.2027, 08:00:00"
    assert format_time(moment, "de", "Europe/Berlin") == "09:00"


def test_templates_format_with_the_request_s_locale(client: FlaskClient) -> None:
    app = client.application
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        rendered = app.jinja_env.from_string(
            "{{ 0.5|percent }} · {{ 1234.5|number }} · {{ 99|money('EUR') }}"
        ).render()
    assert rendered == "50\xa0% · 1.234,5 · 99\xa0€"


# --- complete catalogues ------------------------------------------------------------------------


def test_every_message_id_has_a_translation_in_every_locale() -> None:
    problems = i18n_catalogue.problems()
    assert not problems, "run python -m practicum.server.i18n_catalogue:\n" + "\n".join(problems)


def test_the_catalogue_check_finds_a_missing_key(tmp_path: Path, monkeypatch) -> None:
    scripts = tmp_path / "js"
    scripts.mkdir()
    (scripts / "x.js").write_text('h("p", {}, t("A sentence no catalogue holds"));\n')
    keys = i18n_catalogue.js_keys(scripts)
    assert keys == {"A sentence no catalogue holds": ["x.js"]}
    monkeypatch.setattr(i18n_catalogue, "js_keys", lambda: keys)
    problems = i18n_catalogue.problems()
    assert "de.json lacks 'A sentence no catalogue holds'" in problems
    assert any(p.startswith("en.json lacks 'A sentence no catalogue holds'") for p in problems)


def test_plural_entries_have_the_forms_the_language_needs() -> None:
    for locale in ("en", "de"):
        for key, value in js_catalogue(locale).items():
            if isinstance(value, dict):
                assert set(value) == {"one", "other"}, (locale, key)
                for form in value.values():
                    assert set(re.findall(r"\{\w+\}", form)) <= set(re.findall(r"\{\w+\}", key))


def test_translations_keep_the_placeholders_of_their_key() -> None:
    english = js_catalogue("en")
    for key, value in js_catalogue("de").items():
        forms = value.values() if isinstance(value, dict) else [value]
        source = english[key] if isinstance(english[key], str) else english[key]["other"]
        wanted = set(re.findall(r"\{\w+\}", source))
        for form in forms:
            found = set(re.findall(r"\{\w+\}", form))
            # A translation may leave out a detail ({price}) but never invent a name.
            assert found <= wanted, (key, form)


class _TextNodes(HTMLParser):
    """Collect the literal text and labelling attributes a template shows."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in ("aria-label", "placeholder", "title", "alt") and value:
                self.found.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.found.append(data)


def literal_english(source: str) -> list[str]:
    """Return the words a template shows outside Jinja expressions and translation calls."""
    # A page's body class fills base.html's class attribute: a name for CSS, not text shown.
    source = re.sub(r"\{% block body_class %\}.*?\{% endblock %\}", " ", source, flags=re.S)
    without_jinja = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", source, flags=re.S)
    parser = _TextNodes()
    parser.feed(without_jinja)
    left = []
    for text in parser.found:
        for piece in re.split(r"\s{2,}|\n|·", text):
            piece = piece.strip()
            if re.search(r"[A-Za-z]{2}", piece) and piece not in ALLOWED_LITERALS:
                left.append(piece)
    return left


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_show_no_literal_english(name: str) -> None:
    source = (ROOT / "templates" / name).read_text(encoding="utf-8")
    assert literal_english(source) == []


def test_the_literal_scan_finds_english_text_and_labels() -> None:
    found = literal_english('<p>{{ _("Fine") }}</p><h2>Left behind</h2><input placeholder="Name">')
    assert found == ["Left behind", "Name"]
    page = "{% block body_class %}studio-page{% endblock %}{% block context %}Studio{% endblock %}"
    assert literal_english(page) == ["Studio"]


def test_names_put_into_translated_text_are_escaped(client: FlaskClient) -> None:
    app = client.application
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        rendered = app.jinja_env.from_string('{{ _("Join code %(code)s", code=name) }}').render(
            name="<b>&"
        )
    assert rendered == "Beitrittscode &lt;b&gt;&amp;"
