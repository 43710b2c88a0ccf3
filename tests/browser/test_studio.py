"""The authoring workbench in Chromium, as `practicum studio FILE` serves it.

A flaw typed into the editor shows its finding at its line within a second and fixing it clears
it; a click on a finding selects its line; a round preview shows the round; the expert plan plays
with charts and a score; Save writes the file; a change on disk reloads or warns.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import screenshot

pytestmark = pytest.mark.browser

SECOND_MS = 1000


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def select_text(page: Any, needle: str) -> None:
    """Select the first occurrence of `needle` in the editor, as a mouse drag would."""
    page.evaluate(
        """(needle) => { const e = document.getElementById('editor');
        const at = e.value.indexOf(needle);
        e.focus(); e.setSelectionRange(at, at + needle.length); }""",
        needle,
    )


def caret_line(page: Any) -> int:
    return page.evaluate(
        "() => { const e = document.getElementById('editor');"
        " return e.value.slice(0, e.selectionStart).split('\\n').length; }"
    )


def open_studio(new_context: Any, url: str) -> Any:
    page = new_context(1440, 900).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(url)
    page.wait_for_function("() => document.getElementById('editor').value.includes('\"foundry\"')")
    page.wait_for_selector("#findings-clean:not([hidden])")
    return page


def test_findings_follow_the_typing(new_context: Any, studio_file: tuple[str, Path]) -> None:
    url, file = studio_file
    page = open_studio(new_context, url)
    text = file.read_text()
    line = line_of(text, '"minutes": 40,')

    # A round of zero minutes: lint's round-playable error, typed with the keyboard.
    select_text(page, '"minutes": 40,')
    page.keyboard.press("ArrowLeft")  # caret before the key
    page.keyboard.press("End")
    for _ in range(3):
        page.keyboard.press("Backspace")  # "40," -> "" ...
    started = time.monotonic()
    page.keyboard.type("0,")
    finding = page.locator('.studio-finding-link[data-rule="round-playable"]')
    finding.wait_for(timeout=SECOND_MS)
    assert time.monotonic() - started < 1.0 + 0.2  # the wait above already bounds it
    assert finding.get_attribute("data-line") == str(line)
    page.locator(f'.studio-mark.error[data-line="{line}"]').wait_for(timeout=SECOND_MS)
    screenshot(page, "studio-finding")

    # Clicking the finding selects its line in the editor.
    page.locator("#editor").evaluate("e => { e.setSelectionRange(0, 0); e.scrollTop = 0; }")
    finding.click()
    assert caret_line(page) == line
    assert page.evaluate("document.activeElement.id") == "editor"
    assert page.locator(f'.studio-mark.current[data-line="{line}"]').count() == 1

    # Fixing it clears it within a second.
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("40,")
    page.wait_for_selector("#findings-clean:not([hidden])", timeout=SECOND_MS)
    assert page.locator(".studio-finding").count() == 0
    assert page.locator(".studio-mark").count() == 0

    # A syntax error (a comma deleted) is located too, and the scenario "does not load".
    select_text(page, '"minutes": 40,')
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Backspace")
    page.locator('.studio-finding-link[data-rule="json-syntax"]').wait_for(timeout=SECOND_MS)
    assert page.locator("#status").inner_text().startswith("Does not load")
    page.keyboard.type(",")
    page.wait_for_selector("#findings-clean:not([hidden])", timeout=SECOND_MS)
    assert page.errors == []


def test_preview_play_and_save(new_context: Any, studio_file: tuple[str, Path]) -> None:
    url, file = studio_file
    page = open_studio(new_context, url)
    data = json.loads(file.read_text())

    page.click("#tab-preview")
    page.select_option("#preview-round", "1")
    page.click("#preview-go")
    second = data["rounds"][1]
    page.wait_for_selector('[data-preview="round-name"]')
    assert second["name"] in page.locator('[data-preview="round-name"]').inner_text()
    assert second["brief"][:60] in page.locator('[data-preview="brief"]').inner_text()
    fields = page.locator('[data-preview="deliverable"] li').all_inner_texts()
    labels = [f["label"] for f in second["deliverable"]]
    assert [f.split(" ")[0] for f in fields] == [label.split(" ")[0] for label in labels]
    screenshot(page, "studio-preview")

    page.click("#tab-play")
    page.click("#play-go")
    page.wait_for_selector('[data-play="total"]')
    assert page.locator('figure[data-chart="kpi"]').count() == len(data["kpis"])
    assert page.locator('figure[data-chart="roi"]').count() == 1
    total = page.locator('[data-play="total"]').inner_text()
    earned, possible = total.split(":")[1].split("/")
    assert float(earned) == float(possible) > 0  # the expert plan takes every automatic point
    screenshot(page, "studio-play")

    # A plan picked by hand: no interventions at all scores less.
    page.check('input[name="plan-kind"][value="custom"]')
    for box in page.locator('input[name="pick-interventions"]').all():
        box.uncheck()
    page.click("#play-go")
    page.wait_for_function(
        "() => { const t = document.querySelector('[data-play=total]');"
        " if (!t) return false; const [a, b] = t.textContent.split(':')[1].split('/');"
        " return Number(a) < Number(b); }"
    )

    # Save writes the file (the old one kept as .bak).
    select_text(page, data["title"])
    page.keyboard.type("Edited in the studio")
    page.click("#save")
    page.wait_for_function(
        "() => document.getElementById('status').textContent.startsWith('Saved')"
    )
    assert json.loads(file.read_text())["title"] == "Edited in the studio"
    assert json.loads(file.with_name("draft.json.bak").read_text())["title"] == data["title"]
    assert page.errors == []


def test_disk_changes_reload_or_warn(new_context: Any, studio_file: tuple[str, Path]) -> None:
    url, file = studio_file
    page = open_studio(new_context, url)
    data = json.loads(file.read_text())

    # No edits here: another editor's save is loaded.
    data["title"] = "Changed by another editor"
    file.write_text(json.dumps(data, indent=2))
    page.wait_for_function(
        "() => document.getElementById('editor').value.includes('Changed by another editor')",
        timeout=5000,
    )

    # Edits on both sides: a notice, and the author chooses.
    select_text(page, "Changed by another editor")
    page.keyboard.type("Mine")
    data["title"] = "Theirs"
    file.write_text(json.dumps(data, indent=2))
    page.wait_for_selector("#disk-notice:not([hidden])", timeout=5000)
    screenshot(page, "studio-conflict")
    assert "Mine" in page.locator("#editor").input_value()
    page.click("#take-disk")
    page.wait_for_function("() => document.getElementById('editor').value.includes('Theirs')")
    assert page.locator("#disk-notice").is_hidden()
    assert page.errors == []


def test_an_author_account_uses_the_studio_on_the_server(
    new_context: Any, live_server: Any
) -> None:
    from browser_helpers import sign_in

    admin = new_context().new_page()
    sign_in(admin, live_server.password)
    admin.goto("/facilitator/accounts")
    admin.fill("#account-name", "ada-author")
    admin.select_option("#account-role", "author")
    admin.fill("#account-password", "author-password-123")
    admin.click("form button.primary")
    admin.wait_for_selector("text=ada-author")

    page = new_context(1440, 900).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "author-password-123", user="ada-author")
    page.goto("/studio")
    assert page.locator("#save").count() == 0  # on a server: download only
    page.select_option("#shipped-select", "foundry")
    page.wait_for_selector("#findings-clean:not([hidden])")
    select_text(page, '"minutes": 40,')
    page.keyboard.type('"minutez": 40,')
    finding = page.locator('.studio-finding-link[data-rule="validate"]').first
    finding.wait_for(timeout=SECOND_MS)
    screenshot(page, "studio-account")
    with page.expect_download() as download:
        page.click("#download")
    assert '"minutez": 40' in Path(download.value.path()).read_text()
    assert errors == []
