"""Teammates typing in one field at the same moment: every word of each survives, everywhere."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from browser_helpers import command, create_session, join, screenshot, sign_in

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or fails in CI) first
    expect = None  # type: ignore[assignment]

FIELD = "#deliverable textarea[data-text-field]"


def _team_of(new_context: Any, code: str, names: list[str]) -> list[Any]:
    """Join learners into one team; return their pages (each its own browser context)."""
    pages = []
    for index, name in enumerate(names):
        page = new_context().new_page()
        join(page, code, name)
        if index == 0:
            page.fill("#new-team-name", "Typists")
            page.click("#create-team button[type=submit]")
        else:
            page.get_by_role("button", name="Join team Typists").click()
        expect(page.locator("#ctx-team")).to_have_text("Team Typists")
        pages.append(page)
    return pages


def _open_field(page: Any) -> Any:
    page.click("#tab-deliverable")
    area = page.locator(FIELD).first
    expect(area).to_be_editable()  # read-only until the server's document has arrived
    return area


def _type_interleaved(pages: list[Any], texts: list[str], keys: list[str]) -> None:
    """Each person places the caret (a key such as End or Home), then all type char by char."""
    for page, key in zip(pages, keys, strict=True):
        page.locator(FIELD).first.click()
        page.keyboard.press(key)
    for chars in itertools.zip_longest(*texts, fillvalue=""):
        for page, char in zip(pages, chars, strict=True):
            if char:
                page.keyboard.type(char)


def _converged(pages: list[Any], words: list[str]) -> str:
    """Wait until every page shows one and the same text holding every word; return it."""
    first = pages[0].locator(FIELD).first
    for word in words:
        expect(first).to_have_value(_contains(word), timeout=5000)
    value = first.input_value()
    for page in pages[1:]:
        expect(page.locator(FIELD).first).to_have_value(value, timeout=5000)
    return value


def _contains(word: str) -> Any:
    import re

    return re.compile(re.escape(word))


def _exported_text(fac: Any, session_id: str, field: str) -> str:
    export = fac.request.get(f"/facilitator/sessions/{session_id}/export.json").json()
    (team,) = [t for t in export["board"]["teams"] if t["name"] == "Typists"]
    return team["texts"][field]


def test_two_then_three_people_typing_in_one_field_keep_every_word(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    fac = new_context().new_page()
    sign_in(fac, live_server.password)
    session_id, code = create_session(fac, scenario_id)
    ana, ben, cy = _team_of(new_context, code, ["Ana", "Ben", "Cy"])
    command(fac, "start_session")
    areas = [_open_field(p) for p in (ana, ben, cy)]
    field = areas[0].get_attribute("data-text-field")

    # Two people at once: Ana appends, Ben types at the start, keystrokes interleaved.
    ana_words = ["alpha", "amber", "apple"]
    ben_words = ["bravo", "beech", "basil"]
    _type_interleaved(
        [ana, ben], [" ".join(ana_words) + " ", " ".join(ben_words) + " "], ["End", "Home"]
    )
    # While Ana is in the field, Ben sees her there (name by the field and a caret).
    expect(ben.locator(f"[data-presence='{field}']")).to_contain_text("Ana", timeout=3000)
    expect(ben.locator(".remote-caret-name", has_text="Ana")).to_have_count(1)
    expect(ben.locator(".remote-caret").first).to_have_css("border-left-style", "solid")
    text = _converged([ana, ben, cy], ana_words + ben_words)
    screenshot(ben, "coediting-two-people")

    # Three at once: Cy joins in the middle of the text.
    cy_words = ["charlie", "cedar", "cumin"]
    ana_more = ["azure", "acorn"]
    ben_more = ["birch", "bison"]
    _type_interleaved(
        [ana, ben, cy],
        [" " + " ".join(ana_more), " ".join(ben_more) + " ", " ".join(cy_words) + " "],
        ["End", "Home", "End"],
    )
    everything = ana_words + ben_words + cy_words + ana_more + ben_more
    text = _converged([ana, ben, cy], everything)
    screenshot(cy, "coediting-three-people")
    expect(fac.locator("body")).to_be_visible()
    assert _wait_export(fac, session_id, field, text) == text

    # Ben goes offline mid-edit and keeps typing; Ana and Cy type meanwhile; he comes back.
    ben.context.set_offline(True)
    ben.keyboard.type("offline words from ben ")
    ana.keyboard.type(" while ben is away")
    cy.keyboard.type("cy too ")
    expect(ben.locator("#conn")).not_to_have_attribute("data-state", "online")
    ben.context.set_offline(False)
    more = ["offline words from ben", "while ben is away", "cy too"]
    text = _converged([ana, ben, cy], everything + more)
    screenshot(ben, "coediting-after-offline")
    assert _wait_export(fac, session_id, field, text) == text


def _wait_export(fac: Any, session_id: str, field: str, text: str) -> str:
    """Return the exported text once it caught up (acks can trail the last keystroke a bit)."""
    exported = ""
    for _ in range(50):
        exported = _exported_text(fac, session_id, field)
        if exported == text:
            break
        fac.wait_for_timeout(100)
    return exported
